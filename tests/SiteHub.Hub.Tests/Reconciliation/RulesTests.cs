using SiteHub.Hub.Reconciliation;
using SiteHub.Hub.Registry;
using SiteHub.Protocols.Punches;

namespace SiteHub.Hub.Tests.Reconciliation;

public sealed class RulesTests
{
    private static readonly int[] TenDays = [.. Enumerable.Range(1, 10)];

    /// <summary>P1 (site-P1, pay day 15, tolerance 1%), w1 at 300 a day, attended 1–10 March 2024: 3000.00 expected, due 2024-04-15.</summary>
    private static Scenario TenDaysInMarch() => new Scenario().Project("P1").Worker("w1", "P1").Attend("w1", "site-P1", TenDays);

    [Fact]
    public void Unpaid_is_not_raised_on_the_due_day_itself()
    {
        Assert.Empty(TenDaysInMarch().Bulk("2024-04-15"));
    }

    [Fact]
    public void Unpaid_is_raised_the_day_after_the_due_date_with_the_expected_pay()
    {
        var alert = TenDaysInMarch().Bulk("2024-04-16").Single(AlertType.Unpaid, "w1");

        Assert.Equal(("P1", new YearMonth(2024, 3), 3000m, 0m, 10), (alert.ProjectId, alert.WageMonth!.Value, alert.Expected!.Value, alert.Paid!.Value, alert.Days!.Value));
        Assert.Equal(AlertSeverity.High, alert.Severity);
    }

    [Fact]
    public void Payment_on_the_due_day_is_on_time()
    {
        Assert.Empty(TenDaysInMarch().Pay("t1", "w1", 3000m, "2024-04-15T23:59:00+08:00").Bulk("2024-05-31"));
    }

    [Fact]
    public void Payment_the_day_after_the_due_date_resolves_unpaid_and_is_late()
    {
        var scenario = TenDaysInMarch().Pay("t1", "w1", 3000m, "2024-04-16T09:00:00+08:00");

        scenario.Bulk("2024-04-15").Types();
        var late = scenario.Bulk("2024-04-16").Single(AlertType.Late, "w1");
        Assert.Equal(3000m, late.Paid);
        scenario.Bulk("2024-04-16").Types(AlertType.Late);
        Assert.Contains("1 day(s) after", late.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Late_is_raised_only_once_the_payment_has_landed()
    {
        var scenario = TenDaysInMarch().Pay("t1", "w1", 3000m, "2024-04-20");

        scenario.Bulk("2024-04-19").Types(AlertType.Unpaid);
        scenario.Bulk("2024-04-20").Types(AlertType.Late);
    }

    [Fact]
    public void Payment_exactly_at_the_tolerance_limit_is_full()
    {
        // 3000.00 less 1% = 2970.00
        Assert.Empty(TenDaysInMarch().Pay("t1", "w1", 2970.00m, "2024-04-10").Bulk("2024-04-30"));
    }

    [Fact]
    public void Payment_a_fen_below_the_tolerance_limit_is_underpaid_after_the_due_date()
    {
        var scenario = TenDaysInMarch().Pay("t1", "w1", 2969.99m, "2024-04-10");

        scenario.Bulk("2024-04-15").Types();
        var alert = scenario.Bulk("2024-04-16").Single(AlertType.Underpaid, "w1");
        Assert.Equal((3000m, 2969.99m), (alert.Expected!.Value, alert.Paid!.Value));
    }

    [Fact]
    public void Tolerance_is_per_project()
    {
        var scenario = new Scenario().Project("P1", tolerance: 0.10m).Worker("w1", "P1").Attend("w1", "site-P1", TenDays)
            .Pay("t1", "w1", 2700m, "2024-04-10");

        Assert.Empty(scenario.Bulk("2024-04-30"));
    }

    [Fact]
    public void Two_payouts_that_add_up_are_full_payment()
    {
        var scenario = TenDaysInMarch().Pay("t1", "w1", 1000m, "2024-04-05").Pay("t2", "w1", 2000m, "2024-04-12");

        Assert.Empty(scenario.Bulk("2024-04-30"));
    }

    [Fact]
    public void Second_payout_after_the_due_date_turns_underpaid_into_late()
    {
        var scenario = TenDaysInMarch().Pay("t1", "w1", 1000m, "2024-04-05").Pay("t2", "w1", 2000m, "2024-04-18");

        scenario.Bulk("2024-04-17").Single(AlertType.Underpaid, "w1");
        scenario.Bulk("2024-04-18").Types(AlertType.Late);
    }

    [Fact]
    public void Failed_payout_followed_by_a_success_leaves_no_alert()
    {
        var scenario = TenDaysInMarch().Pay("t1", "w1", 3000m, "2024-04-10", failed: true).Pay("t2", "w1", 3000m, "2024-04-11");

        scenario.Bulk("2024-04-10").Types(AlertType.PayoutFailed);
        Assert.Empty(scenario.Bulk("2024-04-30"));
    }

    [Fact]
    public void Failed_payout_with_no_retry_is_payout_failed_and_then_unpaid()
    {
        var scenario = TenDaysInMarch().Pay("t1", "w1", 3000m, "2024-04-10", failed: true);

        scenario.Bulk("2024-04-15").Types(AlertType.PayoutFailed);
        scenario.Bulk("2024-04-16").Types(AlertType.PayoutFailed, AlertType.Unpaid);
    }

    [Fact]
    public void Payout_to_a_worker_with_no_attendance_that_month_is_paid_without_attendance()
    {
        var scenario = new Scenario().Project("P1").Worker("w1", "P1").Pay("t1", "w1", 3000m, "2024-04-10");

        var alert = scenario.Bulk("2024-04-10").Single(AlertType.PaidWithoutAttendance, "w1");
        Assert.Equal((3000m, 0), (alert.Paid!.Value, alert.Days!.Value));
    }

    [Fact]
    public void Payout_to_someone_on_no_roster_is_paid_without_attendance_with_no_worker()
    {
        var scenario = TenDaysInMarch().Pay("t1", "w1", 3000m, "2024-04-10").Pay("t2", "ghost", 2500m, "2024-04-10");

        var alerts = scenario.Bulk("2024-04-10");
        var alert = alerts.Single(AlertType.PaidWithoutAttendance);
        Assert.Equal(("P1", (string?)null, 2500m), (alert.ProjectId, alert.WorkerId, alert.Paid!.Value));
        Assert.DoesNotContain(Scenario.AccountOf("stranger-ghost"), alert.Detail, StringComparison.Ordinal);
        Assert.Contains(Masking.BankAccount(Scenario.AccountOf("stranger-ghost")), alert.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Payout_from_another_account_belongs_to_the_workers_project_and_is_not_from_the_wage_account()
    {
        var other = Scenario.AccountOf("contractor-private");
        var scenario = TenDaysInMarch().Pay("t1", "w1", 3000m, "2024-04-10", payerAccount: other);

        var alert = scenario.Bulk("2024-04-30").Single(AlertType.NotFromWageAccount, "w1");
        Assert.Equal(("P1", 3000m), (alert.ProjectId, alert.Paid!.Value));
        Assert.DoesNotContain(other, alert.Detail, StringComparison.Ordinal);
        scenario.Bulk("2024-04-30").Types(AlertType.NotFromWageAccount);
    }

    [Fact]
    public void Payout_linked_by_account_to_a_differently_named_payee_is_the_workers_payment_and_a_payee_mismatch()
    {
        var scenario = TenDaysInMarch().Pay("t1", "w1", 3000m, "2024-04-10", payeeName: "Someone Else", payeeId: Scenario.IdNumberOf("someone-else"));

        var alerts = scenario.Bulk("2024-04-30");
        alerts.Types(AlertType.PayeeMismatch);
        Assert.Equal("w1", alerts[0].WorkerId);
        Assert.DoesNotContain(Scenario.IdNumberOf("someone-else"), alerts[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Payout_linked_by_id_with_another_name_is_a_payee_mismatch()
    {
        TenDaysInMarch().Pay("t1", "w1", 3000m, "2024-04-10", payeeName: "Wrong Name", payeeAccount: Scenario.AccountOf("elsewhere"))
            .Bulk("2024-04-30").Types(AlertType.PayeeMismatch);
    }

    [Fact]
    public void Payee_name_written_with_spaces_or_full_width_letters_is_not_a_mismatch()
    {
        var scenario = new Scenario().Project("P1").Worker("w1", "P1", name: "张三").Attend("w1", "site-P1", TenDays)
            .Pay("t1", "w1", 3000m, "2024-04-10", payeeName: "张 三");

        Assert.Empty(scenario.Bulk("2024-04-30"));
    }

    [Fact]
    public void Payout_without_a_payee_id_is_linked_by_account()
    {
        Assert.Empty(TenDaysInMarch().Pay("t1", "w1", 3000m, "2024-04-10", noPayeeId: true).Bulk("2024-04-30"));
    }

    [Fact]
    public void Punch_by_a_person_on_no_roster_of_the_site_is_unregistered()
    {
        var scenario = TenDaysInMarch()
            .Punch("site-P1", "intruder", Direction.In, new DateTimeOffset(2024, 3, 4, 8, 0, 0, TimeSpan.FromHours(8)))
            .Punch("site-P1", "intruder", Direction.In, new DateTimeOffset(2024, 3, 5, 8, 0, 0, TimeSpan.FromHours(8)))
            .Pay("t1", "w1", 3000m, "2024-04-10");

        var alert = scenario.Bulk("2024-04-30").Single(AlertType.UnregisteredPunch);
        Assert.Equal(("P1", "intruder", 2, AlertSeverity.Low), (alert.ProjectId, alert.WorkerId, alert.Days!.Value, alert.Severity));
    }

    [Fact]
    public void Worker_of_another_project_punching_at_this_site_is_unregistered_here()
    {
        var scenario = new Scenario().Project("P1").Project("P2").Worker("w1", "P1").Worker("w2", "P2")
            .Attend("w1", "site-P1", [1]).Attend("w2", "site-P2", [1]).Attend("w2", "site-P1", [2]);

        var alert = scenario.Bulk("2024-03-02").Single(AlertType.UnregisteredPunch);
        Assert.Equal(("P1", "w2"), (alert.ProjectId, alert.WorkerId));
    }

    [Fact]
    public void Project_silent_for_the_threshold_days_is_no_attendance_and_not_a_day_before()
    {
        // Last punch 10 March; default threshold 7 days.
        var scenario = new Scenario().Project("P1", noAttendanceDays: null).Worker("w1", "P1").Attend("w1", "site-P1", TenDays);

        Assert.Empty(scenario.Bulk("2024-03-16"));
        var alert = scenario.Bulk("2024-03-17").Single(AlertType.NoAttendance);
        Assert.Equal(("P1", (string?)null, (YearMonth?)null, 7), (alert.ProjectId, alert.WorkerId, alert.WageMonth, alert.Days!.Value));
    }

    [Fact]
    public void No_attendance_threshold_is_per_project_and_counts_from_the_first_start_without_punches()
    {
        var scenario = new Scenario().Project("P1", noAttendanceDays: 3).Worker("w1", "P1", start: new DateOnly(2024, 3, 1));

        Assert.Empty(scenario.Bulk("2024-03-02"));
        Assert.Equal(3, scenario.Bulk("2024-03-03").Single(AlertType.NoAttendance).Days);
    }

    [Fact]
    public void No_attendance_is_not_raised_for_a_project_whose_workers_have_all_left()
    {
        Assert.Empty(new Scenario().Project("P1").Worker("w1", "P1", end: new DateOnly(2024, 2, 29)).Bulk("2024-03-20"));
    }

    [Fact]
    public void Pay_over_the_cap_is_excessive_and_exactly_the_cap_is_not()
    {
        var atCap = new Scenario().Project("P1", excessivePayCap: 3000m).Worker("w1", "P1").Attend("w1", "site-P1", TenDays).Pay("t1", "w1", 3000m, "2024-04-10");
        var overCap = new Scenario().Project("P1", excessivePayCap: 3000m).Worker("w1", "P1").Attend("w1", "site-P1", TenDays).Pay("t1", "w1", 3000.01m, "2024-04-10");

        Assert.Empty(atCap.Bulk("2024-04-30"));
        Assert.Equal(3000.01m, overCap.Bulk("2024-04-30").Single(AlertType.ExcessivePay, "w1").Paid);
    }

    [Fact]
    public void Excessive_pay_default_cap_comes_from_the_settings()
    {
        var scenario = new Scenario { Settings = ReconciliationSettings.Default with { ExcessivePayCap = 5000m } }
            .Project("P1").Worker("w1", "P1").Attend("w1", "site-P1", TenDays).Pay("t1", "w1", 3000m, "2024-04-10").Pay("t2", "w1", 2500m, "2024-04-11");

        scenario.Bulk("2024-04-30").Types(AlertType.ExcessivePay);
    }

    [Fact]
    public void Punch_just_before_midnight_in_the_projects_zone_belongs_to_that_month()
    {
        // 2024-03-31 23:30 in Shanghai is 15:30 UTC: March, so April's wages are not involved.
        var scenario = new Scenario().Project("P1").Worker("w1", "P1")
            .Punch("site-P1", "w1", Direction.In, new DateTimeOffset(2024, 3, 31, 15, 30, 0, TimeSpan.Zero));

        var alert = scenario.Bulk("2024-04-16").Single(AlertType.Unpaid, "w1");
        Assert.Equal(new YearMonth(2024, 3), alert.WageMonth);
    }

    [Fact]
    public void Same_instant_falls_in_different_months_for_projects_in_different_zones()
    {
        // 2024-04-01 02:00 UTC: 10:00 on 1 April in Shanghai, 19:00 on 31 March in Los Angeles.
        var instant = new DateTimeOffset(2024, 4, 1, 2, 0, 0, TimeSpan.Zero);
        var scenario = new Scenario().Project("SH", site: "s1").Project("LA", site: "s2", timeZone: "America/Los_Angeles")
            .Worker("w1", "SH").Worker("w2", "LA")
            .Punch("s1", "w1", Direction.In, instant).Punch("s2", "w2", Direction.In, instant);

        var alerts = scenario.Bulk("2024-05-20").Where(a => a.Type == AlertType.Unpaid).ToList();
        Assert.Equal(new YearMonth(2024, 4), alerts.Single(a => a.WorkerId == "w1").WageMonth);
        Assert.Equal(new YearMonth(2024, 3), alerts.Single(a => a.WorkerId == "w2").WageMonth);
    }

    [Fact]
    public void Month_boundary_of_the_due_date_rolls_into_the_next_year()
    {
        var scenario = new Scenario().Project("P1").Worker("w1", "P1").Attend("w1", "site-P1", [30, 31], year: 2024, month: 12);

        Assert.DoesNotContain(scenario.Bulk("2025-01-15"), a => a.Type == AlertType.Unpaid);
        Assert.Equal(600m, scenario.Bulk("2025-01-16").Single(AlertType.Unpaid, "w1").Expected);
    }

    [Fact]
    public void Monthly_worker_employed_all_month_is_owed_the_full_wage_for_any_attendance()
    {
        var scenario = new Scenario().Project("P1").Worker("w1", "P1", WageType.Month, 6000m).Attend("w1", "site-P1", [1, 2, 3]);

        Assert.Equal(6000m, scenario.Bulk("2024-04-16").Single(AlertType.Unpaid, "w1").Expected);
    }

    [Fact]
    public void Monthly_worker_who_joined_mid_month_is_owed_the_day_wage_for_attended_days()
    {
        // 6525 / 21.75 = 300 a day; joined 18 March, attended 10 days.
        var scenario = new Scenario().Project("P1").Worker("w1", "P1", WageType.Month, 6525m, start: new DateOnly(2024, 3, 18))
            .Attend("w1", "site-P1", Enumerable.Range(18, 10));

        Assert.Equal(3000m, scenario.Bulk("2024-04-16").Single(AlertType.Unpaid, "w1").Expected);
    }

    [Fact]
    public void Monthly_worker_who_left_mid_month_is_owed_at_most_the_monthly_wage()
    {
        var scenario = new Scenario().Project("P1").Worker("w1", "P1", WageType.Month, 4350m, end: new DateOnly(2024, 3, 30))
            .Attend("w1", "site-P1", Enumerable.Range(1, 30));

        Assert.Equal(4350m, scenario.Bulk("2024-04-16").Single(AlertType.Unpaid, "w1").Expected);
    }

    [Fact]
    public void Payout_for_a_worker_on_two_projects_counts_for_the_project_whose_account_paid_it()
    {
        var scenario = new Scenario().Project("P1").Project("P2").Worker("w1", "P1").Worker("w1", "P2")
            .Attend("w1", "site-P1", [1, 2, 3]).Attend("w1", "site-P2", [4, 5])
            .Pay("t1", "w1", 600m, "2024-04-10", project: "P2");

        var alerts = scenario.Bulk("2024-04-16");
        alerts.Types(AlertType.Unpaid);
        Assert.Equal(("P1", 900m), (alerts[0].ProjectId, alerts[0].Expected!.Value));
    }

    [Fact]
    public void Payout_for_a_worker_on_two_projects_from_the_wrong_projects_account_is_paid_without_attendance_there()
    {
        var scenario = new Scenario().Project("P1").Project("P2").Worker("w1", "P1").Worker("w1", "P2")
            .Attend("w1", "site-P1", [1, 2, 3])
            .Pay("t1", "w1", 900m, "2024-04-10", project: "P2");

        var alerts = scenario.Bulk("2024-04-16");
        Assert.Equal("P2", alerts.Single(AlertType.PaidWithoutAttendance, "w1").ProjectId);
        Assert.Equal("P1", alerts.Single(AlertType.Unpaid, "w1").ProjectId);
    }

    [Fact]
    public void Duplicate_transaction_is_counted_once()
    {
        var scenario = TenDaysInMarch().Pay("t1", "w1", 2000m, "2024-04-10").Pay("t1", "w1", 2000m, "2024-04-10");

        Assert.Equal(2000m, scenario.Bulk("2024-04-16").Single(AlertType.Underpaid, "w1").Paid);
    }

    [Fact]
    public void Punches_after_the_as_of_day_are_not_seen()
    {
        // Paid in advance on 1 March; the first punch is on 2 March.
        var scenario = new Scenario().Project("P1").Worker("w1", "P1").Attend("w1", "site-P1", [2, 3]).Pay("t1", "w1", 600m, "2024-03-01");

        scenario.Bulk("2024-03-01").Types(AlertType.PaidWithoutAttendance);
        Assert.Empty(scenario.Bulk("2024-03-02"));
    }

    [Fact]
    public void Attendance_has_first_in_last_out_and_worked_hours_per_day()
    {
        var ledger = new Scenario().Project("P1").Worker("w1", "P1")
            .Punch("site-P1", "w1", Direction.In, new DateTimeOffset(2024, 3, 4, 7, 55, 0, TimeSpan.FromHours(8)))
            .Punch("site-P1", "w1", Direction.Out, new DateTimeOffset(2024, 3, 4, 12, 0, 0, TimeSpan.FromHours(8)))
            .Punch("site-P1", "w1", Direction.In, new DateTimeOffset(2024, 3, 4, 13, 0, 0, TimeSpan.FromHours(8)))
            .Punch("site-P1", "w1", Direction.Out, new DateTimeOffset(2024, 3, 4, 9, 30, 0, TimeSpan.Zero))
            .Punch("site-P1", "w1", Direction.Unknown, new DateTimeOffset(2024, 3, 5, 8, 0, 0, TimeSpan.FromHours(8)))
            .Ledger();

        var days = ledger.AttendanceOf("w1", "P1", new YearMonth(2024, 3), new DateOnly(2024, 3, 31));

        Assert.Equal(2, days.Count);
        Assert.Equal((new TimeOnly(7, 55), new TimeOnly(17, 30), TimeSpan.FromMinutes(575)), (days[0].FirstIn!.Value, days[0].LastOut!.Value, days[0].WorkedHours!.Value));
        Assert.Null(days[1].WorkedHours);
    }
}
