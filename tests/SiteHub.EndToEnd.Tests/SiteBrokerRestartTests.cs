using SiteHub.Simulators.Terminals;
using SiteHub.Testing;

namespace SiteHub.EndToEnd.Tests;

/// <summary>
/// The site's own broker is an external mosquitto (devices publish to it; the gateway reads it with
/// a persistent session and acks each message only after its commit), restarted mid-stream.
/// Graceful restarts (SIGTERM: mosquitto saves its sessions and queued messages) lose and double
/// nothing. A SIGKILL is survived by the gateway's session (it is in mosquitto's persistence file),
/// but what mosquitto had acked to devices and not yet handed to the gateway or saved is gone with
/// it, whatever the gateway does: that loss is measured, not asserted, and everything recorded after
/// the gateway is back must arrive.
/// </summary>
public sealed class SiteBrokerRestartTests
{
    private const int Terminals = 6;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static async Task<(MosquittoServer Mosquitto, SiteUnderTest Site, List<FaceTerminal> Terminals)> StartAsync()
    {
        // Saved every second as well as at shutdown, so a SIGKILL finds the gateway's session on disk.
        var mosquitto = await MosquittoServer.StartAsync(Token, "autosave_interval 1");
        var site = SiteUnderTest.Create();
        site.ExtraGatewayArgs = ["--SiteBroker:Host=127.0.0.1", $"--SiteBroker:Port={mosquitto.Port}"];
        await site.StartHubAsync(Token);
        await site.StartGatewayAsync(Token);
        await WaitSiteBrokerConnectsAsync(site, 1);
        var terminals = await site.AddTerminalsAsync(Terminals, Token, mosquitto.Port);
        return (mosquitto, site, terminals);
    }

    /// <summary>Waits until the gateway's log shows its <paramref name="count"/>th connect to the site broker.</summary>
    private static Task WaitSiteBrokerConnectsAsync(SiteUnderTest site, int count) =>
        TestEnvironment.WaitUntilAsync(() => site.Gateway!.CountInOutput("MQTT link site-broker connected") >= count,
            TimeSpan.FromSeconds(60), $"the gateway's connect #{count} to the site mosquitto", Token);

    private static async Task WaitAckedAsync(List<FaceTerminal> terminals, int atLeast) =>
        await TestEnvironment.WaitUntilAsync(() => terminals.Sum(t => t.AckedCount) >= atLeast, TimeSpan.FromSeconds(90), $"{atLeast} punches acked", Token);

    private static async Task<List<string>> DrainAsync(List<FaceTerminal> terminals)
    {
        foreach (var terminal in terminals)
        {
            Assert.True(await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(60), Token), $"{terminal.Sn} still holds {terminal.Cached} punches");
        }

        return terminals.SelectMany(t => t.Acked).ToList();
    }

    [Fact]
    public async Task Site_mosquitto_restarted_gracefully_mid_stream_loses_and_doubles_nothing()
    {
        var (mosquitto, site, terminals) = await StartAsync();
        await using var _ = mosquitto;
        await using var __ = site;
        try
        {
            await using (var stream = SteadyPunching.Start(terminals, 200))
            {
                for (var restart = 1; restart <= 2; restart++)
                {
                    await WaitAckedAsync(terminals, terminals.Sum(t => t.AckedCount) + 1_000);
                    await mosquitto.RestartAsync(Token, graceful: true);
                    await WaitSiteBrokerConnectsAsync(site, 1 + restart);
                }

                await WaitAckedAsync(terminals, terminals.Sum(t => t.AckedCount) + 500);
            }

            var acked = await DrainAsync(terminals);
            await site.AssertHubHasExactlyAsync(acked, Token);
            var atHub = await site.HubEventIdsAsync(Token);
            await Figures.WriteAsync("site-broker-graceful-restart", new Dictionary<string, object?>
            {
                ["restarts"] = 2,
                ["sent"] = terminals.Sum(t => t.Recorded),
                ["acked"] = acked.Count,
                ["atHub"] = atHub.Count,
                ["duplicates"] = atHub.Count - atHub.Distinct().Count(),
                ["lost"] = acked.Except(atHub).Count(),
            }, Token);
        }
        finally
        {
            foreach (var terminal in terminals)
            {
                await terminal.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Site_mosquitto_killed_mid_stream_doubles_nothing_and_the_stream_resumes()
    {
        var (mosquitto, site, terminals) = await StartAsync();
        await using var _ = mosquitto;
        await using var __ = site;
        try
        {
            HashSet<string> ackedBeforeReturn;
            await using (var stream = SteadyPunching.Start(terminals, 200))
            {
                await WaitAckedAsync(terminals, 1_000);
                await mosquitto.RestartAsync(Token);
                await WaitSiteBrokerConnectsAsync(site, 2);
                ackedBeforeReturn = terminals.SelectMany(t => t.Acked).ToHashSet();
                await WaitAckedAsync(terminals, ackedBeforeReturn.Count + 1_000);
            }

            var acked = await DrainAsync(terminals);
            var ackedAfterReturn = acked.Where(id => !ackedBeforeReturn.Contains(id)).ToList();
            await site.AssertHubHasExactlyAsync(ackedAfterReturn, Token);
            var atHub = await site.HubEventIdsAsync(Token);
            Assert.Equal(atHub.Count, atHub.Distinct().Count());
            await Figures.WriteAsync("site-broker-sigkill", new Dictionary<string, object?>
            {
                ["sent"] = terminals.Sum(t => t.Recorded),
                ["acked"] = acked.Count,
                ["atHub"] = atHub.Count,
                ["duplicates"] = atHub.Count - atHub.Distinct().Count(),
                ["lostByMosquitto"] = acked.Except(atHub).Count(),
                ["ackedAfterGatewayBack"] = ackedAfterReturn.Count,
                ["lostAfterGatewayBack"] = ackedAfterReturn.Except(atHub).Count(),
            }, Token);
        }
        finally
        {
            foreach (var terminal in terminals)
            {
                await terminal.DisposeAsync();
            }
        }
    }
}
