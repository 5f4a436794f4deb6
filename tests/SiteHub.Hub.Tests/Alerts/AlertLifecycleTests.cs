using SiteHub.Hub.Alerts;
using SiteHub.Hub.Reconciliation;

namespace SiteHub.Hub.Tests.Alerts;

public sealed class AlertLifecycleTests
{
    private static readonly DateTimeOffset T0 = new(2024, 4, 16, 0, 0, 0, TimeSpan.FromHours(8));

    private static Alert Unpaid(decimal expected = 600m, int days = 2) =>
        new(AlertType.Unpaid, AlertSeverity.High, "P1", "w1", new YearMonth(2024, 3), expected, 0m, days, $"{expected:F2} expected");

    [Fact]
    public void A_condition_is_raised_once_and_unchanged_figures_write_nothing()
    {
        var raised = AlertLifecycle.Stands(null, Unpaid(), T0)!;

        Assert.Equal((AlertStatus.Open, true, "UNPAID", "2024-03"), (raised.Status, raised.Standing, raised.Type, raised.WageMonth));
        Assert.Equal("raised", Assert.Single(raised.History).Action);
        Assert.Null(AlertLifecycle.Stands(raised with { Id = 1 }, Unpaid(), T0.AddHours(1)));
    }

    [Fact]
    public void New_figures_update_the_alert_and_keep_an_acknowledgement()
    {
        var acknowledged = AlertLifecycle.Acknowledge(AlertLifecycle.Stands(null, Unpaid(), T0)! with { Id = 1 }, "admin", "calling", T0.AddHours(1));

        var updated = AlertLifecycle.Stands(acknowledged, Unpaid(900m, 3), T0.AddHours(2))!;

        Assert.Equal((AlertStatus.Acknowledged, 900m, 3), (updated.Status, updated.Expected, updated.Days));
        Assert.Equal(["raised", "acknowledged", "updated"], updated.History.Select(h => h.Action));
        Assert.Equal(T0, updated.RaisedAt);
    }

    [Fact]
    public void A_cleared_condition_is_resolved_by_the_system_and_raised_again_on_the_same_record()
    {
        var raised = AlertLifecycle.Stands(null, Unpaid(), T0)! with { Id = 7 };

        var resolved = AlertLifecycle.Clears(raised, T0.AddDays(1))!;
        var again = AlertLifecycle.Stands(resolved, Unpaid(), T0.AddDays(2))!;

        Assert.Equal((AlertStatus.Resolved, AlertStatus.System, T0.AddDays(1)), (resolved.Status, resolved.ResolvedBy, resolved.ResolvedAt));
        Assert.Equal((7L, AlertStatus.Open, (DateTimeOffset?)null), (again.Id, again.Status, again.ResolvedAt));
        Assert.Equal(["raised", "resolved", "raised again"], again.History.Select(h => h.Action));
        Assert.Null(AlertLifecycle.Clears(resolved, T0.AddDays(3)));
    }

    [Fact]
    public void A_users_resolution_stands_until_the_figures_move()
    {
        var raised = AlertLifecycle.Stands(null, Unpaid(), T0)! with { Id = 1 };

        var closed = AlertLifecycle.Resolve(raised, "admin", "paid in cash, receipt on file", T0.AddHours(1));
        var same = AlertLifecycle.Stands(closed, Unpaid(), T0.AddHours(2));
        var moved = AlertLifecycle.Stands(closed, Unpaid(1200m, 4), T0.AddHours(3))!;

        Assert.Equal(("admin", "paid in cash, receipt on file"), (closed.History[^1].User, closed.History[^1].Comment));
        Assert.Null(same);
        Assert.Equal(AlertStatus.Open, moved.Status);
        Assert.Throws<InvalidOperationException>(() => AlertLifecycle.Resolve(closed, "admin", null, T0));
        Assert.Throws<InvalidOperationException>(() => AlertLifecycle.Acknowledge(closed, "admin", null, T0));
    }
}

public sealed class NumberScrubberTests
{
    [Theory]
    [InlineData("worker 11010519491231002X says so", "worker 1101**********002X says so")]
    [InlineData("acct 6222021234561234.", "acct 6222********1234.")]
    [InlineData("paid 3000.00 on 2024-04-20, ref 1234567", "paid 3000.00 on 2024-04-20, ref 1234567")]
    [InlineData(null, null)]
    public void Numbers_typed_into_comments_are_masked(string? comment, string? stored)
    {
        Assert.Equal(stored, SiteHub.Hub.Registry.NumberScrubber.Scrub(comment));
    }
}
