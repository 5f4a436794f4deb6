using SiteHub.Protocols.Punches;
using SiteHub.Simulators.Terminals;
using SiteHub.Testing;

namespace SiteHub.EndToEnd.Tests;

/// <summary>
/// Gateway and hub both clients of an external central broker (mosquitto), which is SIGKILLed and
/// restarted under them mid-stream: the gateway forgets a punch only on the hub's ack, resends what
/// was in flight, and the hub dedupes, so every acked punch is at the hub exactly once.
/// </summary>
public sealed class ExternalBrokerRestartTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Mosquitto_killed_and_restarted_under_gateway_and_hub_loses_and_doubles_nothing()
    {
        await using var mosquitto = await MosquittoServer.StartAsync(Token);
        await using var site = SiteUnderTest.Create("--CentralBroker:Host=127.0.0.1", $"--CentralBroker:Port={mosquitto.Port}");
        site.ExtraGatewayArgs = [$"--Uplink:Port={mosquitto.Port}"];
        await site.StartHubAsync(Token);
        await site.StartGatewayAsync(Token);
        var terminals = await site.AddTerminalsAsync(4, Token);
        using var stop = new CancellationTokenSource();
        var n = 0;
        var producer = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            try
            {
                while (await timer.WaitForNextTickAsync(stop.Token))
                {
                    for (var i = 0; i < 15; i++, n++)
                    {
                        terminals[n % 4].Punch($"W{n % 300:D4}", n % 2 == 0 ? Direction.In : Direction.Out);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, Token);
        try
        {
            for (var restart = 0; restart < 2; restart++)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), Token);
                await mosquitto.RestartAsync(Token);
            }

            await Task.Delay(TimeSpan.FromSeconds(1), Token);
            await stop.CancelAsync();
            await producer;
            foreach (var terminal in terminals)
            {
                Assert.True(await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(60), Token));
            }

            var acked = terminals.SelectMany(t => t.Acked).ToList();
            Assert.True(acked.Count > 500, $"only {acked.Count} punches were acked");
            await site.AssertHubHasExactlyAsync(acked, Token);
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var terminal in terminals)
            {
                await terminal.DisposeAsync();
            }
        }
    }
}
