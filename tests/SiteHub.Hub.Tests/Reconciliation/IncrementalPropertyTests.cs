using CsCheck;
using SiteHub.Hub.Reconciliation;
using SiteHub.Hub.Registry;
using SiteHub.Protocols.Punches;

namespace SiteHub.Hub.Tests.Reconciliation;

public sealed class IncrementalPropertyTests
{
    private static readonly string[] People = ["w1", "w2", "w3", "w4", "x9"];
    private static readonly string[] Payees = ["w1", "w2", "w3", "w4", "ghost"];
    private static readonly string[] Months = ["2024-02", "2024-03", "2024-04"];
    private static readonly DateTimeOffset PunchBase = new(2024, 2, 20, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly PayBase = new(2024, 3, 1);

    private sealed record PunchSpec(int Person, int Site, int Day, int Hour, int Direction);

    private sealed record PayoutSpec(int Payee, int Payer, int Amount, int Month, int Day, int Hour, bool Failed, int Variant);

    private static readonly Gen<PunchSpec> GenPunch =
        Gen.Select(Gen.Int[0, 4], Gen.Int[0, 1], Gen.Int[0, 80], Gen.Int[0, 23], Gen.Int[0, 2], (p, s, d, h, dir) => new PunchSpec(p, s, d, h, dir));

    private static readonly Gen<PayoutSpec> GenPayout =
        Gen.Select(Gen.Int[0, 4], Gen.Int[0, 2], Gen.Int[1, 400], Gen.Int[0, 2], Gen.Int[0, 80], Gen.Int[0, 23], Gen.Bool, Gen.Int[0, 3],
            (payee, payer, amount, month, day, hour, failed, variant) => new PayoutSpec(payee, payer, amount, month, day, hour, failed, variant));

    /// <summary>Two projects in different zones; a day worker, a part-month monthly worker, a worker on both, a leaver.</summary>
    private static Scenario Registry() => new Scenario()
        .Project("P1", noAttendanceDays: 5)
        .Project("P2", payDay: 10, timeZone: "America/Los_Angeles", tolerance: 0.05m, noAttendanceDays: null, excessivePayCap: 9000m)
        .Worker("w1", "P1")
        .Worker("w2", "P1", WageType.Month, 6000m, start: new DateOnly(2024, 3, 10))
        .Worker("w3", "P1", rate: 250m).Worker("w3", "P2", rate: 280m)
        .Worker("w4", "P2", WageType.Month, 5000m, end: new DateOnly(2024, 3, 20));

    [Fact]
    public void Incremental_alerts_after_replaying_events_in_any_order_equal_the_bulk_result()
    {
        Gen.Select(GenPunch.Array[0, 60], GenPayout.Array[0, 16], Gen.Int[0, 80], Gen.Int, Gen.Int[0, 6])
            .Sample((punches, payouts, asOfDay, seed, ticks) =>
            {
                var scenario = Registry();
                foreach (var p in punches)
                {
                    scenario.Punch(p.Site == 0 ? "site-P1" : "site-P2", People[p.Person], (Direction)p.Direction, PunchBase.AddDays(p.Day).AddHours(p.Hour));
                }

                for (var i = 0; i < payouts.Length; i++)
                {
                    var p = payouts[i];
                    // Variant 3 repeats the previous payout exactly, as a file imported twice would.
                    var (spec, txn) = p.Variant == 3 && i > 0 ? (payouts[i - 1], "t" + (i - 1)) : (p, "t" + i);
                    scenario.Pay(txn, Payees[spec.Payee], spec.Amount * 25m + 0.5m * (spec.Amount % 2), $"{PayBase.AddDays(spec.Day):yyyy-MM-dd}T{spec.Hour:00}:00:00+08:00",
                        Months[spec.Month], project: spec.Payer == 1 ? "P2" : "P1", failed: spec.Failed,
                        payerAccount: spec.Payer == 2 ? Scenario.AccountOf("private") : null,
                        payeeName: spec.Variant == 1 ? "Someone Else" : null, noPayeeId: spec.Variant == 2);
                }

                var asOf = PayBase.AddDays(asOfDay);
                var bulk = scenario.Bulk(asOf);

                var random = new Random(seed);
                var events = scenario.Punches.Select(p => (object)p).Concat(scenario.Payouts).OrderBy(_ => random.Next()).ToList();
                var tickDays = Enumerable.Range(0, ticks).Select(_ => random.Next(0, asOf.DayNumber - new DateOnly(2024, 1, 1).DayNumber + 1)).Order().ToList();
                var incremental = new IncrementalReconciler(scenario.EmptyLedger(), new DateOnly(2024, 1, 1));
                var nextTick = 0;
                for (var i = 0; i < events.Count; i++)
                {
                    if (nextTick < tickDays.Count && random.Next(events.Count) < ticks)
                    {
                        incremental.AdvanceTo(new DateOnly(2024, 1, 1).AddDays(tickDays[nextTick++]));
                    }

                    _ = events[i] switch
                    {
                        GatePunch punch => incremental.AddPunch(punch),
                        Payout payout => incremental.AddPayout(payout),
                        _ => throw new InvalidOperationException(),
                    };
                }

                incremental.AdvanceTo(asOf);
                var live = incremental.Standing;
                Assert.True(bulk.SequenceEqual(live), $"as of {asOf:yyyy-MM-dd}\nonly bulk: {string.Join("\n", bulk.Except(live))}\nonly live: {string.Join("\n", live.Except(bulk))}");
            }, iter: 400);
    }

    [Fact]
    public void Incremental_reports_unpaid_raised_then_resolved_by_a_late_payment_as_late()
    {
        var scenario = new Scenario().Project("P1").Worker("w1", "P1").Attend("w1", "site-P1", [1, 2]);
        var incremental = new IncrementalReconciler(scenario.EmptyLedger(), new DateOnly(2024, 3, 1));
        foreach (var punch in scenario.Punches)
        {
            incremental.AddPunch(punch);
        }

        var due = incremental.AdvanceTo(new DateOnly(2024, 4, 16));
        scenario.Pay("t1", "w1", 600m, "2024-04-17T10:00:00+08:00");
        incremental.AdvanceTo(new DateOnly(2024, 4, 17));
        var paid = incremental.AddPayout(scenario.Payouts[0]);

        Assert.Equal(AlertType.Unpaid, Assert.Single(due.Raised).Type);
        Assert.Equal(AlertType.Unpaid, Assert.Single(paid.Resolved).Type);
        Assert.Equal(AlertType.Late, Assert.Single(paid.Raised).Type);
    }
}
