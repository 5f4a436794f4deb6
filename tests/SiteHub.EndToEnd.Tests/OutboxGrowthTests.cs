using System.Net.Http.Json;
using System.Text.Json;
using SiteHub.Testing;

namespace SiteHub.EndToEnd.Tests;

/// <summary>
/// The outbox's LiteDB files after a sustained run and a drain: the log is checkpointed (it never
/// stays past the 4 MiB threshold plus the drain's own writes), delivered punches are pruned on the
/// retention schedule (<c>Outbox:RetainDelivered</c>, here seconds instead of days), and the data file
/// reuses the pruned pages, so a second run of the same size leaves the files no bigger than the first.
/// </summary>
public sealed class OutboxGrowthTests
{
    private const int PerRound = 4_000;
    private const long LogCheckpointBytes = 4L * 1024 * 1024; // DurableLiteDatabase.CheckpointLogBytes

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task After_sustained_runs_and_drains_the_outbox_files_stay_bounded()
    {
        await using var site = SiteUnderTest.Create();
        site.ExtraGatewayArgs = ["--Outbox:RetainDelivered=00:00:03", "--Outbox:PruneInterval=00:00:01"];
        await site.StartHubAsync(Token);
        await site.StartGatewayAsync(Token);
        var data = Path.Combine(site.Folder, "gateway", "outbox.db");
        var log = Path.Combine(site.Folder, "gateway", "outbox-log.db");
        var terminals = await site.AddTerminalsAsync(8, Token);
        try
        {
            var rounds = new List<Dictionary<string, object?>>();
            var largestLog = 0L;
            for (var round = 1; round <= 2; round++)
            {
                // A round runs for PerRound punches and at least one checkpoint (the log shrinking).
                var target = terminals.Sum(t => t.AckedCount) + PerRound;
                var checkpoints = 0;
                await using (SteadyPunching.Start(terminals, 800))
                {
                    var previousLog = Length(log);
                    await TestEnvironment.WaitUntilAsync(
                        () =>
                        {
                            var length = Length(log);
                            checkpoints += length < previousLog ? 1 : 0;
                            largestLog = Math.Max(largestLog, length);
                            previousLog = length;
                            return terminals.Sum(t => t.AckedCount) >= target && checkpoints > 0;
                        },
                        TimeSpan.FromMinutes(3), $"{PerRound} more punches acked and the outbox log checkpointed", Token);
                }

                foreach (var terminal in terminals)
                {
                    Assert.True(await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(60), Token));
                }

                var peak = (Data: Length(data), Log: Length(log));
                await TestEnvironment.WaitUntilAsync(
                    async () => await site.GatewayApi.GetFromJsonAsync<JsonElement>("/api/outbox", Token) is var o
                        && o.GetProperty("pending").GetInt64() == 0 && o.GetProperty("delivered").GetInt64() == 0,
                    TimeSpan.FromSeconds(60), "every punch delivered and pruned", Token);
                rounds.Add(new Dictionary<string, object?>
                {
                    ["round"] = round,
                    ["checkpointsSeenDuringRun"] = checkpoints,
                    ["ackedSoFar"] = terminals.Sum(t => t.AckedCount),
                    ["dataBytesAtEndOfRun"] = peak.Data,
                    ["logBytesAtEndOfRun"] = peak.Log,
                    ["dataBytesAfterDrainAndPrune"] = Length(data),
                    ["logBytesAfterDrainAndPrune"] = Length(log),
                });
            }

            var acked = terminals.SelectMany(t => t.Acked).ToList();
            await site.AssertHubHasExactlyAsync(acked, Token);
            var atHub = await site.HubEventIdsAsync(Token);
            await Figures.WriteAsync("outbox-growth", new Dictionary<string, object?>
            {
                ["sent"] = terminals.Sum(t => t.Recorded),
                ["acked"] = acked.Count,
                ["atHub"] = atHub.Count,
                ["duplicates"] = atHub.Count - atHub.Distinct().Count(),
                ["lost"] = acked.Except(atHub).Count(),
                ["largestLogBytesSeen"] = largestLog,
                ["rounds"] = rounds,
            }, Token);

            var first = rounds[0];
            var second = rounds[1];
            foreach (var r in rounds)
            {
                Assert.True((long)r["logBytesAfterDrainAndPrune"]! <= LogCheckpointBytes + (2L * 1024 * 1024), $"the log is {r["logBytesAfterDrainAndPrune"]} bytes after the drain of round {r["round"]}");
            }

            Assert.True((long)second["dataBytesAfterDrainAndPrune"]! <= ((long)first["dataBytesAfterDrainAndPrune"]! * 3 / 2) + (1024 * 1024),
                $"the data file grew from {first["dataBytesAfterDrainAndPrune"]} to {second["dataBytesAfterDrainAndPrune"]} bytes over a second run of the same size: pruned pages are not reused");
        }
        finally
        {
            foreach (var terminal in terminals)
            {
                await terminal.DisposeAsync();
            }
        }
    }

    private static long Length(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;
}
