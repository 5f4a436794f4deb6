using System.Text.Json;
using MQTTnet;
using SiteHub.Protocols;
using SiteHub.Protocols.Uplink;
using SiteHub.Testing;

namespace SiteHub.Gateway.Tests;

/// <summary>
/// The gateway's status lists its registered devices that are not connected, with when it last
/// heard each (the hub raises <c>DEVICE_OFFLINE</c> from it): the devices it counts in <c>devicesOffline</c>.
/// </summary>
public sealed class OfflineDevicesStatusTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_status_lists_registered_devices_that_are_not_connected()
    {
        await using var hub = await HubStatusListener.StartAsync("site-a");
        var statuses = hub.Statuses;
        await using var gateway = await InProcessGateway.StartAsync(Token, $"--Uplink:Port={hub.Port}", "--Uplink:StatusInterval=00:00:01");
        await using var terminal = await gateway.AddTerminalAsync("T-1", Token);
        await gateway.RegisterAsync("T-9", "sitehub-v1", Token);

        try
        {
            await TestEnvironment.WaitUntilAsync(
                () => statuses.Any(s => s is { Online: true, OfflineDevices: { } offline } && offline.Count == s.DevicesOffline && offline.Any(d => d.Sn == "T-9")),
                TimeSpan.FromSeconds(20), "a status listing T-9 (registered, never connected), as many devices as it counts offline", Token);
        }
        catch (TimeoutException) when (statuses.LastOrDefault() is { } last)
        {
            Assert.Fail("last status: " + JsonSerializer.Serialize(last, ProtocolsJsonContext.Default.GatewayStatus));
        }

    }
}
