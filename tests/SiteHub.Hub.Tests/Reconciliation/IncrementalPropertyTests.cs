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

    /// <summary>
    /// The registry after its changes: a new project P0 sharing P2's site (and sorting before it),
    /// P2 moved to another zone, pay day and tolerance, w1 renamed, w2 a day worker from a later
    /// start, and x9 (who punched unregistered) enrolled at P0 and P1.
    /// </summary>
    private static Scenario ChangedRegistry() => new Scenario()
        .Project("P0", site: "site-P2", payDay: 5, noAttendanceDays: 4)
        .Project("P1", noAttendanceDays: 5)
        .Project("P2", payDay: 20, timeZone: "Asia/Shanghai", tolerance: 0.02m, noAttendanceDays: null, excessivePayCap: 9000m)
        .Worker("w1", "P1", name: "Wang Wei")
        .Worker("w2", "P1", WageType.Day, 320m, start: new DateOnly(2024, 3, 5))
        .Worker("w3", "P1", rate: 250m).Worker("w3", "P2", rate: 280m)
        .Worker("w4", "P2", WageType.Month, 5000m, end: new DateOnly(2024, 3, 20))
        .Worker("x9", "P0").Worker("x9", "P1");

    [Fact]
    public void Incremental_alerts_after_registry_changes_among_the_events_equal_the_bulk_result_on_the_changed_registry()
    {
        var before = Registry();
        var after = ChangedRegistry();
        var project = after.Projects.ToDictionary(p => p.ProjectId);
        var entries = after.Roster.ToLookup(e => e.WorkerId);

        // In registration order: a worker's entry for a project needs the project.
        (IReadOnlyCollection<Project> Projects, IReadOnlyCollection<RosterEntry> Entries)[] changes =
        [
            ([project["P0"]], []),
            ([project["P2"]], []),
            ([], entries["w1"].ToList()),
            ([], entries["w2"].ToList()),
            ([], entries["x9"].ToList()),
        ];

        Gen.Select(GenPunch.Array[0, 60], GenPayout.Array[0, 16], Gen.Int[0, 80], Gen.Int, Gen.Int[0, 4])
            .Sample((punches, payouts, asOfDay, seed, ticks) =>
            {
                // The events are those of the changed registry (payee names and IDs as the bank has them).
                var scenario = ChangedRegistry();
                foreach (var p in punches)
                {
                    scenario.Punch(p.Site == 0 ? "site-P1" : "site-P2", People[p.Person], (Direction)p.Direction, PunchBase.AddDays(p.Day).AddHours(p.Hour));
                }

                for (var i = 0; i < payouts.Length; i++)
                {
                    var p = payouts[i];
                    scenario.Pay("t" + i, Payees[p.Payee], p.Amount * 25m, $"{PayBase.AddDays(p.Day):yyyy-MM-dd}T{p.Hour:00}:00:00+08:00",
                        Months[p.Month], project: p.Payer == 1 ? "P2" : "P1", failed: p.Failed,
                        payerAccount: p.Payer == 2 ? Scenario.AccountOf("private") : null,
                        payeeName: p.Variant == 1 ? "Someone Else" : null, noPayeeId: p.Variant == 2);
                }

                var asOf = PayBase.AddDays(asOfDay);
                var bulk = scenario.Bulk(asOf);

                var random = new Random(seed);
                var events = scenario.Punches.Select(p => (object)p).Concat(scenario.Payouts).OrderBy(_ => random.Next()).ToList();
                var changeAt = Enumerable.Range(0, changes.Length).Select(_ => random.Next(events.Count + 1)).Order().ToList();
                var incremental = new IncrementalReconciler(before.EmptyLedger(followsRegistryChanges: true), new DateOnly(2024, 1, 1));
                var nextChange = 0;
                for (var i = 0; i <= events.Count; i++)
                {
                    while (nextChange < changes.Length && changeAt[nextChange] == i)
                    {
                        incremental.ChangeRegistry(changes[nextChange].Projects, changes[nextChange].Entries);
                        nextChange++;
                    }

                    if (ticks > 0 && random.Next(events.Count + 1) < ticks)
                    {
                        var day = new DateOnly(2024, 1, 1).AddDays(random.Next(0, asOf.DayNumber - new DateOnly(2024, 1, 1).DayNumber + 1));
                        if (day > incremental.AsOf)
                        {
                            incremental.AdvanceTo(day);
                        }
                    }

                    if (i < events.Count)
                    {
                        _ = events[i] switch
                        {
                            GatePunch punch => incremental.AddPunch(punch),
                            Payout payout => incremental.AddPayout(payout),
                            _ => throw new InvalidOperationException(),
                        };
                    }
                }

                incremental.AdvanceTo(asOf);
                var live = incremental.Standing;
                Assert.True(bulk.SequenceEqual(live), $"as of {asOf:yyyy-MM-dd}\nonly bulk: {string.Join("\n", bulk.Except(live))}\nonly live: {string.Join("\n", live.Except(bulk))}");
            }, iter: 400);
    }

    [Fact]
    public void A_batch_of_punches_gives_the_alerts_of_the_same_punches_one_by_one()
    {
        var scenario = Registry().Attend("w1", "site-P1", [1, 2, 3]).Attend("x9", "site-P1", [4]).Attend("w4", "site-P2", [1, 2]);
        var oneByOne = new IncrementalReconciler(scenario.EmptyLedger(), new DateOnly(2024, 4, 20));
        var batched = new IncrementalReconciler(scenario.EmptyLedger(), new DateOnly(2024, 4, 20));

        foreach (var punch in scenario.Punches)
        {
            oneByOne.AddPunch(punch);
        }

        var standingBefore = batched.Standing;
        var changes = batched.AddPunches(scenario.Punches);

        Assert.Equal(oneByOne.Standing, batched.Standing);
        Assert.Equal(BulkReconciler.Order(batched.Standing.Except(standingBefore)), BulkReconciler.Order(changes.Raised.Concat(changes.Updated)));
        Assert.Contains(changes.Raised, a => a.Type == AlertType.UnregisteredPunch);
        Assert.Contains(changes.Raised, a => a.Type == AlertType.Unpaid && a.WorkerId == "w1");
    }

    [Fact]
    public void Enrolling_a_worker_who_punched_unregistered_turns_the_punches_into_attendance()
    {
        var scenario = Registry().Attend("x9", "site-P1", [1, 2]);
        var incremental = new IncrementalReconciler(scenario.EmptyLedger(followsRegistryChanges: true), new DateOnly(2024, 4, 20));
        foreach (var punch in scenario.Punches)
        {
            incremental.AddPunch(punch);
        }

        var enrolled = incremental.ChangeRegistry([], new Scenario().Project("P1").Worker("x9", "P1").Roster);

        Assert.Equal(AlertType.UnregisteredPunch, Assert.Single(enrolled.Resolved).Type);
        var unpaid = Assert.Single(enrolled.Raised);
        Assert.Equal((AlertType.Unpaid, "x9", 2), (unpaid.Type, unpaid.WorkerId, unpaid.Days));
        Assert.Equal(2, incremental.Ledger.AttendanceOf("x9", "P1", new YearMonth(2024, 3), new DateOnly(2024, 4, 20)).Count);
    }

    [Fact]
    public void A_ledger_built_for_the_bulk_path_refuses_registry_changes() =>
        Assert.Throws<InvalidOperationException>(() => Registry().EmptyLedger().ChangeRegistry([], []));

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
