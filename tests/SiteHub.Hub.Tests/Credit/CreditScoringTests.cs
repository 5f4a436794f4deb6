using SiteHub.Hub.Credit;

namespace SiteHub.Hub.Tests.Credit;

public sealed class CreditScoringTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static CreditEvent[] Alerts(string type, int count, int daysAgo = 10) =>
        [.. Enumerable.Range(0, count).Select(_ => new CreditEvent(type, Now.AddDays(-daysAgo)))];

    [Fact]
    public void A_contractor_without_alerts_is_graded_A_with_no_reasons()
    {
        var report = CreditScoring.Score("中建", [], Now, new CreditOptions());

        Assert.Equal(("A", 100), (report.Grade, report.Score));
        Assert.Empty(report.Reasons);
    }

    [Fact]
    public void Each_alert_type_takes_its_weight_and_the_reasons_say_how_many_and_how_much()
    {
        var report = CreditScoring.Score("中建", [.. Alerts("UNPAID", 3), .. Alerts("LATE", 1), .. Alerts("UNREGISTERED_PUNCH", 2)], Now, new CreditOptions());

        Assert.Equal(100 - 30 - 3 - 2, report.Score);
        Assert.Equal("C", report.Grade);
        Assert.Equal(
            ["3 UNPAID alerts in the last 12 months: −30", "1 LATE alert in the last 12 months: −3", "2 UNREGISTERED_PUNCH alerts in the last 12 months: −2"],
            report.Reasons.Select(r => r.Text));
    }

    [Theory]
    [InlineData(0, 100, "A")]
    [InlineData(1, 90, "A")] // exactly the A threshold
    [InlineData(5, 75, "B")] // exactly the B threshold (5 × LATE 3 + 1 × UNPAID 10)
    [InlineData(2, 80, "B")]
    [InlineData(4, 60, "C")] // exactly the C threshold
    [InlineData(5, 50, "D")]
    public void Grades_follow_the_thresholds_inclusively(int unpaid, int score, string grade)
    {
        CreditEvent[] alerts = score == 75 ? [.. Alerts("LATE", 5), .. Alerts("UNPAID", 1)] : Alerts("UNPAID", unpaid);

        var report = CreditScoring.Score("x", alerts, Now, new CreditOptions());

        Assert.Equal((score, grade), (report.Score, report.Grade));
    }

    [Fact]
    public void Alerts_outside_the_window_do_not_count()
    {
        var options = new CreditOptions { Window = TimeSpan.FromDays(90) };

        var report = CreditScoring.Score("x", [.. Alerts("UNPAID", 5, daysAgo: 91), .. Alerts("UNDERPAID", 1, daysAgo: 89)], Now, options);

        Assert.Equal(94, report.Score);
        Assert.Equal("1 UNDERPAID alert in the last 3 months: −6", Assert.Single(report.Reasons).Text);
    }

    [Fact]
    public void Configured_weights_replace_the_defaults_and_the_score_never_goes_below_zero()
    {
        var options = new CreditOptions();
        options.Weights["UNPAID"] = 40;

        var report = CreditScoring.Score("x", Alerts("UNPAID", 4), Now, options);

        Assert.Equal((0, "D"), (report.Score, report.Grade));
        Assert.Equal(160, report.Reasons[0].Points);
    }

    [Fact]
    public void Types_without_a_weight_are_listed_with_no_points()
    {
        var report = CreditScoring.Score("x", Alerts("GATEWAY_OFFLINE", 7), Now, new CreditOptions());

        Assert.Equal(100, report.Score);
        Assert.Equal(0, Assert.Single(report.Reasons).Points);
    }
}
