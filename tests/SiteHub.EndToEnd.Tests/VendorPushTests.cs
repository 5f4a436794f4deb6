using SiteHub.Protocols.Punches;
using SiteHub.Simulators.Terminals;
using SiteHub.Testing;

namespace SiteHub.EndToEnd.Tests;

/// <summary>
/// Terminals that speak their vendors' HTTP push protocols (ZKTeco ADMS, Hikvision ISAPI) against
/// a gateway process, through to a hub process: every punch a device got its OK for is at the hub
/// once, also when the gateway is killed between the ZKTeco handshake and the upload.
/// </summary>
public sealed class VendorPushTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ZKTeco_and_Hikvision_punches_reach_the_hub_exactly_once_across_a_gateway_restart()
    {
        await using var site = await SiteUnderTest.StartAsync(Token);
        await site.RegisterAsync(new { sn = "ZK-0001", secret = "zk-secret-1", protocol = "zk-adms", gate = "gate-1", direction = "in", timeZone = "+08:00" }, Token);
        await site.RegisterAsync(new { sn = "HIK-0001", secret = "hik-secret-1", protocol = "hik-isapi", gate = "gate-2", direction = "in" }, Token);
        await using var zk = new ZkTerminal("ZK-0001", site.GatewayApi.BaseAddress!) { HoldUploads = true };
        await using var hik = new HikTerminal("HIK-0001", site.GatewayApi.BaseAddress!);
        zk.Start();
        await hik.StartAsync();
        await TestEnvironment.WaitUntilAsync(() => zk.Handshaken, TimeSpan.FromSeconds(30), "the ZKTeco handshake", Token);

        var at = DateTimeOffset.UtcNow.AddHours(-2);
        for (var i = 0; i < 300; i++)
        {
            zk.Punch($"{1000 + (i % 50)}", i % 2 == 0 ? Direction.In : Direction.Out, at.AddSeconds(i));
            if (i < 100)
            {
                hik.Punch($"E{i % 30:D3}", Direction.In, at.AddSeconds(i));
            }
        }

        // The gateway dies after the handshake, before the upload; the terminals keep their records.
        await site.Gateway!.KillAsync();
        await site.StartGatewayAsync(Token);
        zk.HoldUploads = false;

        Assert.True(await zk.WaitDrainedAsync(TimeSpan.FromSeconds(90), Token), $"the ZKTeco terminal still holds {zk.Cached} records");
        Assert.True(await hik.WaitDrainedAsync(TimeSpan.FromSeconds(90), Token), $"the Hikvision terminal still holds {hik.Cached} events");
        var acked = zk.Acked.Concat(hik.Acked).ToList();
        Assert.Equal(400, acked.Count);
        await site.AssertHubHasExactlyAsync(acked, Token);
    }
}
