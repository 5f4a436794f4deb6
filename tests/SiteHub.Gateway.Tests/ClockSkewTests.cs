using System.Net.Http.Json;
using System.Text.Json;
using SiteHub.Simulators.Terminals;
using SiteHub.Testing;

namespace SiteHub.Gateway.Tests;

/// <summary>Device clocks estimated from heartbeats and corrected past the limit.</summary>
public sealed class ClockSkewTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_hikvision_clock_far_off_gets_a_sync_time_command_and_a_device_event()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token, "--Commands:DispatchInterval=00:00:00.100", "--Devices:MaxClockSkew=00:00:30");
        await using var hik = new HikTerminal("HIK-S", new Uri($"http://127.0.0.1:{gateway.HttpPort}")) { ClockSkew = TimeSpan.FromMinutes(5), HeartbeatInterval = TimeSpan.FromMilliseconds(300) };
        await hik.StartAsync();
        await gateway.RegisterAsync("HIK-S", "hik-isapi", Token, deviceUrl: hik.IsapiUrl!.ToString());

        await TestEnvironment.WaitUntilAsync(() => hik.ClockSkew == TimeSpan.Zero, TimeSpan.FromSeconds(15), "the terminal's clock to be set", Token);

        var events = await gateway.Api.GetFromJsonAsync<JsonElement>("/api/device-events?sn=HIK-S", Token);
        Assert.Single(events.EnumerateArray(), e => e.GetProperty("code").GetString() == "clock-skew");
        var skews = await gateway.Api.GetFromJsonAsync<JsonElement>("/api/devices/clock-skew", Token);
        Assert.Contains(skews.EnumerateArray(), s => s.GetProperty("sn").GetString() == "HIK-S");
        Assert.Contains(hik.Executed, e => e == "PUT /ISAPI/System/time");
    }

    [Fact]
    public async Task A_clock_within_the_limit_is_only_recorded()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await gateway.RegisterAsync("FACE-S", "sitehub-v1", Token);
        await using var face = new FaceTerminal("FACE-S", "secret-FACE-S", "127.0.0.1", gateway.BrokerPort) { ClockSkew = TimeSpan.FromSeconds(3) };
        face.Start();

        await TestEnvironment.WaitUntilAsync(
            async () => (await gateway.Api.GetFromJsonAsync<JsonElement>("/api/devices/clock-skew", Token)).EnumerateArray().Any(s => s.GetProperty("sn").GetString() == "FACE-S"),
            TimeSpan.FromSeconds(10), "the skew estimate", Token);
        var commands = await gateway.Api.GetFromJsonAsync<JsonElement>("/api/devices/FACE-S/commands", Token);
        Assert.Empty(commands.EnumerateArray());
    }
}
