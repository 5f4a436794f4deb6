using SiteHub.Testing;

namespace SiteHub.EndToEnd.Tests;

/// <summary>
/// The hub's punch store cannot write (its data folder is a small tmpfs, filled up mid-stream): the
/// hub stops acking batches, so the gateway keeps its backlog (and keeps acking devices); the hub's
/// health and log say why and its API shows the gateway's growing backlog; when space is back the
/// store reopens, acks resume and every acked punch is at the hub once.
/// </summary>
public sealed class HubDiskFullTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_full_disk_at_the_hub_stops_its_acks_and_nothing_is_lost_when_space_is_back()
    {
        await using var disk = await Tmpfs.MountAsync(32, Token);
        await using var site = SiteUnderTest.Create($"--Hub:DataPath={disk.Path}");
        site.ExtraGatewayArgs = ["--Uplink:StatusInterval=00:00:01"];
        await site.StartHubAsync(Token);
        await site.StartGatewayAsync(Token);
        var terminals = await site.AddTerminalsAsync(4, Token);
        try
        {
            await using var stream = SteadyPunching.Start(terminals, 100);
            await TestEnvironment.WaitUntilAsync(async () => (await site.HubEventIdsAsync(Token)).Count >= 300,
                TimeSpan.FromSeconds(60), "punches flowing to the hub", Token);

            await disk.FillAsync(Token);
            await TestEnvironment.WaitUntilAsync(async () => await HubHealthAsync(site) == "Unhealthy",
                TimeSpan.FromSeconds(60), "the hub's health to say Unhealthy", Token);
            Assert.Contains("Could not commit a batch of gateway " + SiteUnderTest.SiteId, site.Hub!.Output, StringComparison.Ordinal);

            // No acks while the disk is full: the hub holds no more punches, the gateway's backlog
            // grows (the devices are still acked), and the hub shows that backlog as the gateway reports it.
            var atHubWhenFull = (await site.HubEventIdsAsync(Token)).Count;
            var ackedWhenFull = terminals.Sum(t => t.AckedCount);
            await TestEnvironment.WaitUntilAsync(
                async () => await site.GatewayBacklogAsync(Token) >= 1_000
                    && terminals.Sum(t => t.AckedCount) >= ackedWhenFull + 1_000
                    && await site.HubGatewayViewAsync(Token) is { } g && g.GetProperty("status").GetProperty("backlog").GetInt64() >= 500,
                TimeSpan.FromSeconds(90), "the gateway to go on acking devices and buffer 1,000 punches, and the hub to show a backlog", Token);
            var atHubWhileFull = (await site.HubEventIdsAsync(Token)).Count;
            Assert.Equal(atHubWhenFull, atHubWhileFull);
            var backlogWhileFull = await site.GatewayBacklogAsync(Token);
            var backlogShownAtHub = (await site.HubGatewayViewAsync(Token))!.Value.GetProperty("status").GetProperty("backlog").GetInt64();

            disk.Free();
            await TestEnvironment.WaitUntilAsync(async () => await HubHealthAsync(site) == "Healthy",
                TimeSpan.FromSeconds(60), "the hub's health to recover", Token);
            await stream.StopAsync();
            foreach (var terminal in terminals)
            {
                Assert.True(await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(60), Token), $"{terminal.Sn} still holds {terminal.Cached} punches");
            }

            var acked = terminals.SelectMany(t => t.Acked).ToList();
            await site.AssertHubHasExactlyAsync(acked, Token);
            await TestEnvironment.WaitUntilAsync(async () => await site.GatewayBacklogAsync(Token) == 0, TimeSpan.FromSeconds(60), "the gateway's backlog to drain", Token);

            var atHub = await site.HubEventIdsAsync(Token);
            await Figures.WriteAsync("hub-disk-full", new Dictionary<string, object?>
            {
                ["sent"] = terminals.Sum(t => t.Recorded),
                ["acked"] = acked.Count,
                ["atHubWhenDiskFilled"] = atHubWhenFull,
                ["atHubWhileFull"] = atHubWhileFull,
                ["gatewayBacklogWhileFull"] = backlogWhileFull,
                ["backlogShownAtHubWhileFull"] = backlogShownAtHub,
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

            // The hub holds files on the tmpfs: stop it before the tmpfs is unmounted.
            if (site.Hub is not null)
            {
                await site.Hub.KillAsync();
            }
        }
    }

    private static async Task<string> HubHealthAsync(SiteUnderTest site)
    {
        using var response = await site.HubApi.GetAsync("/health", Token);
        return await response.Content.ReadAsStringAsync(Token);
    }
}
