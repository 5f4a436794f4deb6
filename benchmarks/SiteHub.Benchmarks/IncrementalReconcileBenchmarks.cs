using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using SiteHub.Hub.Reconciliation;
using SiteHub.Hub.Registry;
using SiteHub.Protocols.Punches;

namespace SiteHub.Benchmarks;

/// <summary>
/// The live rules (issue #4: at most 1 ms per punch batch of 100 with 1,000,000 workers loaded).
/// The registry is laid out like the <c>reconcile</c> benchmark's generator: 1,000,000 day workers
/// on 1,000 projects of one site each, with the first two days of March 2024 already attended and
/// paid on 10 March (so every worker's month has attendance and a payout to evaluate). Each call applies the next batch
/// of 100 punches from one site, as a gateway's batch arrives, on a later day of March.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessShortRun))]
public class IncrementalReconcileBenchmarks
{
    private const int Workers = 1_000_000;
    private const int Projects = 1_000;
    private const int BatchSize = 100;
    private const int DistinctBatches = 20_000;
    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    private IncrementalReconciler _engine = null!;
    private GatePunch[][] _batches = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var projects = Enumerable.Range(0, Projects)
            .Select(p => new Project(Id("P", p), Id("Project ", p), [Id("site-", p)], Id("C", p % 50), Id("wage-", p), "6222********0001", 15, zone, 0.01m))
            .ToList();
        var roster = Enumerable.Range(0, Workers)
            .Select(i => new RosterEntry(Id("w", i), Id("Worker ", i), Id("id-", i), "1101**********123X", Id("P", i % Projects), "E", "T",
                Id("acct-", i), "6228********0001", WageType.Day, 300m, new DateOnly(2024, 1, 1), null))
            .ToList();
        var ledger = new ReconciliationLedger(projects, roster, ReconciliationSettings.Default);
        for (var day = 1; day <= 2; day++)
        {
            for (var i = 0; i < Workers; i++)
            {
                ledger.AddPunch(new GatePunch(Id("site-", i % Projects), Id("w", i), Direction.In, new DateTimeOffset(2024, 3, day, 8, 0, 0, China)));
            }
        }

        for (var i = 0; i < Workers; i++)
        {
            ledger.AddPayout(new Payout(Id("t", i), Id("wage-", i % Projects), "6222********0001", Id("Worker ", i), Id("id-", i), "1101**********123X",
                Id("acct-", i), "6228********0001", 600m, new YearMonth(2024, 3), new BankTimestamp(new DateTime(2024, 3, 10, 10, 0, 0), China), PayoutStatus.Success));
        }

        _engine = new IncrementalReconciler(ledger, new DateOnly(2024, 3, 20));

        // Batch b: the site of project b % 1,000, a hundred of its workers, one day of 3–19 March.
        _batches = new GatePunch[DistinctBatches][];
        for (var b = 0; b < DistinctBatches; b++)
        {
            var project = b % Projects;
            var group = b / Projects % (Workers / Projects / BatchSize);
            var day = 3 + (b / (Projects * (Workers / Projects / BatchSize)) % 17);
            _batches[b] = Enumerable.Range(0, BatchSize)
                .Select(k => new GatePunch(Id("site-", project), Id("w", project + (group * BatchSize + k) * Projects), Direction.In,
                    new DateTimeOffset(2024, 3, day, 8, k % 60, 0, China)))
                .ToArray();
        }
    }

    /// <summary>What the live reconciler does with a committed batch: fold all in, evaluate each touched scope once.</summary>
    [Benchmark]
    public AlertChanges PunchBatchOf100() => _engine.AddPunches(_batches[_next++ % DistinctBatches]);

    /// <summary>The batch one punch at a time (each punch re-evaluates its project), as the live reconciler did before.</summary>
    [Benchmark]
    public int PunchBatchOf100OneByOne()
    {
        var changes = 0;
        foreach (var punch in _batches[_next++ % DistinctBatches])
        {
            changes += _engine.AddPunch(punch).Raised.Count;
        }

        return changes;
    }

    private static string Id(string prefix, int number) => prefix + number.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// BenchmarkDotNet's short job, in process: loading a million workers takes longer than the
    /// in-process toolchain's default time limit, and a separate process would build the hub again.
    /// </summary>
    private sealed class InProcessShortRun : ManualConfig
    {
        public InProcessShortRun() =>
            AddJob(Job.ShortRun.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: true)));
    }
}
