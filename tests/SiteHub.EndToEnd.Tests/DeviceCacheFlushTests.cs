using System.Net.Http.Json;
using System.Text.Json;
using SiteHub.Simulators.Fleet;
using SiteHub.Simulators.Terminals;
using SiteHub.Testing;

namespace SiteHub.EndToEnd.Tests;

/// <summary>
/// A whole site's terminals offline for a simulated day (a cut switch), then reconnecting at once
/// and flushing their caches as fast as they can: half of them one record per message (older
/// firmware), half in batches of 200. Backpressure holds: every punch is acked and committed once,
/// nothing is refused or quarantined, every one arrives at the hub once, and the gateway's peak
/// memory (VmHWM) stays under a generous ceiling; the figure is recorded, not asserted closely.
/// </summary>
public sealed class DeviceCacheFlushTests
{
    private const int Devices = 200;
    private const int WorkersPerDevice = 25;
    private const long RssCeilingBytes = 1024L * 1024 * 1024;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_hundred_terminals_flushing_a_day_of_punches_at_once_lose_nothing_and_the_gateway_stays_bounded()
    {
        await using var site = await SiteUnderTest.StartAsync(Token);
        var terminals = new List<FaceTerminal>();
        try
        {
            var yesterday = new DateTimeOffset(DateTimeOffset.UtcNow.AddDays(-1).Date.AddHours(6), TimeSpan.Zero).ToOffset(TimeSpan.FromHours(8));
            await Parallel.ForAsync(0, Devices, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Token }, async (d, ct) =>
            {
                var sn = $"DAY-{d:D3}";
                await site.RegisterAsync(new { sn, secret = "secret-" + sn, gate = $"gate-{d % 8}", direction = "in" }, ct);
            });
            for (var d = 0; d < Devices; d++)
            {
                var sn = $"DAY-{d:D3}";
                var terminal = new FaceTerminal(sn, "secret-" + sn, "127.0.0.1", site.SiteBrokerPort) { Online = false, MaxBatch = d % 2 == 0 ? 1 : 200 };
                var workers = Enumerable.Range(0, WorkersPerDevice).Select(w => $"W{d:D3}-{w:D2}").ToList();
                foreach (var punch in ShiftPattern.Day(workers, TimeSpan.FromHours(14), seed: d))
                {
                    terminal.Punch(punch.WorkerId, punch.Direction, yesterday + punch.At);
                }

                terminal.Start();
                terminals.Add(terminal);
            }

            var recorded = terminals.Sum(t => t.Cached);
            var rssBefore = site.Gateway!.PeakResidentBytes();

            var flush = System.Diagnostics.Stopwatch.StartNew();
            foreach (var terminal in terminals)
            {
                terminal.Online = true;
            }

            await TestEnvironment.WaitUntilAsync(() => terminals.All(t => t.Cached == 0), TimeSpan.FromMinutes(5),
                $"every terminal's cache flushed ({recorded} punches)", Token);
            var flushSeconds = flush.Elapsed.TotalSeconds;
            var acked = terminals.SelectMany(t => t.Acked).ToList();
            Assert.Equal(recorded, acked.Count);
            await site.AssertHubHasExactlyAsync(acked, Token);
            var rssPeak = site.Gateway.PeakResidentBytes();

            var outbox = await site.GatewayApi.GetFromJsonAsync<JsonElement>("/api/outbox", Token);
            Assert.Equal(0, outbox.GetProperty("quarantined").GetInt64());
            Assert.Equal(0, outbox.GetProperty("refused").GetInt64());
            Assert.True(rssPeak < RssCeilingBytes, $"the gateway's peak RSS was {rssPeak / (1024 * 1024)} MiB");

            var atHub = await site.HubEventIdsAsync(Token);
            await Figures.WriteAsync("device-cache-flush", new Dictionary<string, object?>
            {
                ["devices"] = Devices,
                ["messages"] = terminals.Sum(t => t.AckLatenciesMs.Count),
                ["sent"] = recorded,
                ["acked"] = acked.Count,
                ["committedAtGatewayIncludingResends"] = outbox.GetProperty("received").GetInt64(),
                ["atHub"] = atHub.Count,
                ["duplicates"] = atHub.Count - atHub.Distinct().Count(),
                ["lost"] = acked.Except(atHub).Count(),
                ["secondsUntilEveryCacheWasAcked"] = Math.Round(flushSeconds, 1),
                ["gatewayPeakRssMiBBeforeFlush"] = rssBefore / (1024 * 1024),
                ["gatewayPeakRssMiB"] = rssPeak / (1024 * 1024),
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
