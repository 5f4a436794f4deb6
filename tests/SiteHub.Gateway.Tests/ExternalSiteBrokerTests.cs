using Microsoft.Extensions.DependencyInjection;
using SiteHub.Gateway.SiteBroker;
using SiteHub.Platform.Mqtt;
using SiteHub.Protocols.Punches;
using SiteHub.Simulators.Terminals;
using SiteHub.Testing;

namespace SiteHub.Gateway.Tests;

/// <summary>The gateway as a client of a real mosquitto site broker.</summary>
public sealed class ExternalSiteBrokerTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Punches_published_to_mosquitto_reach_the_outbox_once()
    {
        await using var mosquitto = await MosquittoServer.StartAsync(Token);
        await using var gateway = await InProcessGateway.StartAsync(Token, "--SiteBroker:Host=127.0.0.1", $"--SiteBroker:Port={mosquitto.Port}");
        var link = gateway.App.Services.GetRequiredService<ExternalSiteBrokerClient>().Link;
        await TestEnvironment.WaitUntilAsync(() => link.State == MqttLinkState.Connected, TimeSpan.FromSeconds(15), "the gateway to connect to mosquitto", Token);
        await using var registered = await gateway.AddTerminalAsync("M-1", Token);
        await using var terminal = new FaceTerminal("M-1", "secret-M-1", "127.0.0.1", mosquitto.Port) { MaxBatch = 1 };
        terminal.Start();

        for (var i = 0; i < 100; i++)
        {
            terminal.Punch($"W{i:D3}", Direction.In);
        }

        Assert.True(await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(20), Token));
        await TestEnvironment.WaitUntilAsync(() => gateway.Outbox.PendingCount == 100, TimeSpan.FromSeconds(20), "100 punches in the outbox", Token);
        Assert.All(terminal.Acked, id => Assert.NotNull(gateway.Outbox.FindPunch(id)));
    }

    [Fact]
    public async Task Messages_queued_in_mosquitto_while_the_gateway_was_down_are_committed_after_it_returns()
    {
        await using var mosquitto = await MosquittoServer.StartAsync(Token);
        string[] args = ["--SiteBroker:Host=127.0.0.1", $"--SiteBroker:Port={mosquitto.Port}"];
        var gateway = await InProcessGateway.StartAsync(Token, args);
        var link = gateway.App.Services.GetRequiredService<ExternalSiteBrokerClient>().Link;
        await TestEnvironment.WaitUntilAsync(() => link.State == MqttLinkState.Connected, TimeSpan.FromSeconds(15), "the first connect", Token);
        await gateway.AddTerminalAsync("M-2", Token);
        var dataPath = gateway.DataPath;

        // The gateway's persistent session stays in mosquitto while it is away.
        await gateway.App.StopAsync(Token);
        await using var terminal = new FaceTerminal("M-2", "any", "127.0.0.1", mosquitto.Port) { MaxBatch = 1 };
        terminal.Start();
        for (var i = 0; i < 50; i++)
        {
            terminal.Punch($"W{i:D3}", Direction.Out);
        }

        Assert.True(await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(20), Token));
        await gateway.App.DisposeAsync();

        await using var restarted = await InProcessGateway.StartAsync(Token, [.. args, $"--Gateway:DataPath={dataPath}"]);
        await TestEnvironment.WaitUntilAsync(() => restarted.Outbox.PendingCount == 50, TimeSpan.FromSeconds(20), "the queued punches", Token);
    }
}
