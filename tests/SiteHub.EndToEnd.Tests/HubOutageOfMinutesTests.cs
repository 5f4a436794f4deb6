using System.Globalization;
using SiteHub.Protocols.Punches;
using SiteHub.Testing;

namespace SiteHub.EndToEnd.Tests;

/// <summary>
/// The hub unreachable for minutes while the site keeps working: the gateway keeps acking devices
/// and its backlog grows; the hub shows the gateway offline, silent for longer and longer, with the
/// backlog it last reported (its last will, which carries no figures, does not wipe them); when the
/// link is back the hub shows the backlog the gateway reports, a live punch overtakes it, and every
/// acked punch arrives once. Long-running (the outage lasts <see cref="Outage"/>): trait
/// <c>Category=LongRunning</c>.
/// </summary>
[Trait("Category", "LongRunning")]
public sealed class HubOutageOfMinutesTests
{
    private const int Terminals = 10;
    private const int PerSecond = 40;
    private static readonly TimeSpan Outage = TimeSpan.FromMinutes(2);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_hub_outage_of_minutes_is_buffered_shown_at_the_hub_and_drained_live_first()
    {
        await using var site = SiteUnderTest.Create();
        await using var link = new TcpProxy(site.CentralBrokerPort);
        // Small batches: the hub now commits a backlog of a few thousand punches in well under a
        // second, which could end before the live punch is even made; the order is what is tested.
        site.ExtraGatewayArgs = [$"--Uplink:Port={link.Port}", "--Uplink:StatusInterval=00:00:02", "--Uplink:BatchSize=20"];
        await site.StartHubAsync(Token);
        await site.StartGatewayAsync(Token);
        var terminals = await site.AddTerminalsAsync(Terminals, Token);
        try
        {
            await using var stream = SteadyPunching.Start(terminals, PerSecond);
            await TestEnvironment.WaitUntilAsync(
                async () => await site.HubGatewayViewAsync(Token) is { } g && g.GetProperty("connected").GetBoolean()
                    && g.TryGetProperty("status", out var s) && s.GetProperty("devicesOnline").GetInt32() == Terminals
                    && (await site.HubEventIdsAsync(Token)).Count >= 200,
                TimeSpan.FromSeconds(60), "the gateway at the hub with its devices online and punches flowing", Token);

            link.Cut();
            await TestEnvironment.WaitUntilAsync(async () => await site.HubGatewayViewAsync(Token) is { } g && !g.GetProperty("connected").GetBoolean(),
                TimeSpan.FromSeconds(60), "the hub to see the gateway gone", Token);
            var offline = (await site.HubGatewayViewAsync(Token))!.Value;
            var lastSeen = offline.GetProperty("lastSeen").GetDateTimeOffset();
            var lastReport = offline.GetProperty("status");
            Assert.True(lastReport.GetProperty("online").GetBoolean(), $"the hub shows the gateway's last will instead of its last report: {lastReport}");
            Assert.Equal(Terminals, lastReport.GetProperty("devicesOnline").GetInt32());

            // The outage lasts until the hub has not heard from the gateway for Outage; meanwhile the
            // hub keeps the last report and the last contact, and the gateway keeps acking devices.
            List<string> changed = [];
            var backlogHalfway = 0L;
            var silentAtEnd = TimeSpan.Zero;
            var samples = 0;
            await TestEnvironment.WaitUntilAsync(
                async () =>
                {
                    var view = (await site.HubGatewayViewAsync(Token))!.Value;
                    if (view.GetProperty("connected").GetBoolean() || view.GetProperty("lastSeen").GetDateTimeOffset() != lastSeen
                        || view.GetProperty("status").GetRawText() != lastReport.GetRawText())
                    {
                        changed.Add(view.GetRawText());
                    }

                    var silentFor = silentAtEnd = TimeSpan.Parse(view.GetProperty("silentFor").GetString()!, CultureInfo.InvariantCulture);
                    if (backlogHalfway == 0 && silentFor >= Outage / 2)
                    {
                        backlogHalfway = await site.GatewayBacklogAsync(Token);
                    }

                    samples++;
                    return silentFor >= Outage;
                },
                Outage + TimeSpan.FromMinutes(2), $"the hub to show the gateway silent for {Outage}", Token);

            Assert.True(changed.Count == 0, $"the hub's view of the cut-off gateway changed during the outage: {string.Join("\n", changed.Take(3))}");
            await stream.StopAsync();
            foreach (var terminal in terminals)
            {
                Assert.True(await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(60), Token), $"{terminal.Sn} was not acked while the hub was unreachable ({terminal.Cached} cached)");
            }

            var ackedBeforeReturn = terminals.Sum(t => t.AckedCount);
            var backlog = await site.GatewayBacklogAsync(Token);
            var atHubWhenCut = (await site.HubEventIdsAsync(Token)).Count;
            Assert.True(backlogHalfway > 0 && backlog > backlogHalfway, $"the backlog did not grow: {backlogHalfway} halfway, {backlog} at the end");
            Assert.True(backlog >= ackedBeforeReturn - atHubWhenCut, $"the gateway holds {backlog} punches but {ackedBeforeReturn - atHubWhenCut} acked ones are not at the hub");
            var backlogShownAtReturn = 0L;

            // Back: the gateway's first report, sent before any batch, carries its backlog: at most what
            // it held during the outage (acks the hub queued in the gateway's session just before the
            // cut may settle a batch or two first), at least every acked punch the hub does not have.
            var notAtHub = ackedBeforeReturn - atHubWhenCut;
            link.Restore();
            List<string> seen = [];
            try
            {
                await TestEnvironment.WaitUntilAsync(
                    async () =>
                    {
                        var g = (await site.HubGatewayViewAsync(Token))!.Value;
                        seen.Add($"connected {g.GetProperty("connected")} backlog {g.GetProperty("status").GetProperty("backlog")}");
                        var shown = backlogShownAtReturn = g.GetProperty("status").GetProperty("backlog").GetInt64();
                        return g.GetProperty("connected").GetBoolean() && shown >= notAtHub && shown <= backlog;
                    },
                    TimeSpan.FromSeconds(60), $"the hub to show the gateway back with its backlog ({notAtHub}–{backlog})", Token);
            }
            catch (TimeoutException ex)
            {
                Assert.Fail($"{ex.Message}\nThe hub showed: {string.Join("; ", seen.Distinct())}\nGateway log:\n{site.Gateway!.Output[^Math.Min(4000, site.Gateway.Output.Length)..]}");
            }

            var live = terminals[0].Punch("LIVE-1", Direction.In);
            List<string> atHubWhenLiveArrived = [];
            await TestEnvironment.WaitUntilAsync(
                async () => (atHubWhenLiveArrived = await site.HubEventIdsAsync(Token)).Contains(live.EventId),
                TimeSpan.FromSeconds(60), "the live punch at the hub", Token);
            Assert.True(atHubWhenLiveArrived.Count < ackedBeforeReturn + 1,
                $"the live punch arrived only after the whole backlog ({atHubWhenLiveArrived.Count} punches were there already)");

            Assert.True(await terminals[0].WaitDrainedAsync(TimeSpan.FromSeconds(30), Token));
            var acked = terminals.SelectMany(t => t.Acked).ToList();
            await site.AssertHubHasExactlyAsync(acked, Token);
            await TestEnvironment.WaitUntilAsync(async () => await site.GatewayBacklogAsync(Token) == 0, TimeSpan.FromSeconds(60), "the backlog to drain", Token);
            await TestEnvironment.WaitUntilAsync(async () => (await site.HubGatewayViewAsync(Token))!.Value.GetProperty("status").GetProperty("backlog").GetInt64() == 0,
                TimeSpan.FromSeconds(30), "the hub to show the backlog drained", Token);

            var atHub = await site.HubEventIdsAsync(Token);
            await Figures.WriteAsync("hub-outage-of-minutes", new Dictionary<string, object?>
            {
                ["outageSeconds"] = Outage.TotalSeconds,
                ["sent"] = terminals.Sum(t => t.Recorded),
                ["acked"] = acked.Count,
                ["ackedDuringOutage"] = ackedBeforeReturn - atHubWhenCut,
                ["backlogHalfway"] = backlogHalfway,
                ["backlogAtGatewayBeforeReturn"] = backlog,
                ["backlogShownAtHubOnReturn"] = backlogShownAtReturn,
                ["silentForShownAtHubAtEndOfOutageSeconds"] = Math.Round(silentAtEnd.TotalSeconds),
                ["backlogShownAtHubDuringOutage"] = lastReport.GetProperty("backlog").GetInt64(),
                ["atHubWhenLivePunchArrived"] = atHubWhenLiveArrived.Count,
                ["atHub"] = atHub.Count,
                ["duplicates"] = atHub.Count - atHub.Distinct().Count(),
                ["lost"] = acked.Except(atHub).Count(),
                ["hubSamplesDuringOutage"] = samples,
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
