using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SiteHub.Hub.Configuration;
using SiteHub.Hub.Headcount;
using SiteHub.Protocols.Punches;

namespace SiteHub.Hub.Tests;

public sealed class HeadcountTrackerTests
{
    private static readonly DateTimeOffset Morning = new(2026, 3, 2, 7, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public void A_late_arriving_older_punch_does_not_override_a_newer_one()
    {
        var clock = new FakeTimeProvider(Morning.AddHours(2));
        var tracker = new HeadcountTracker(clock, Options.Create(new HubOptions()));

        tracker.Apply([InProcessHub.MakePunch("s", "D", 2, "W1", Direction.Out, Morning.AddHours(1))]);
        tracker.Apply([InProcessHub.MakePunch("s", "D", 1, "W1", Direction.In, Morning)]); // backlog replay

        Assert.Equal(0, tracker.Of("s").OnSite);
    }

    [Fact]
    public void People_inside_count_until_they_leave_or_the_window_passes()
    {
        var clock = new FakeTimeProvider(Morning.AddMinutes(30));
        var tracker = new HeadcountTracker(clock, Options.Create(new HubOptions { OnSiteWindow = TimeSpan.FromHours(16) }));

        tracker.Apply(Enumerable.Range(1, 5).Select(i => InProcessHub.MakePunch("s", "D", i, $"W{i}", Direction.In, Morning)));
        tracker.Apply([InProcessHub.MakePunch("s", "D", 6, "W1", Direction.Out, Morning.AddMinutes(10))]);

        Assert.Equal(4, tracker.Of("s").OnSite);
        Assert.Equal(0, tracker.Of("other").OnSite);
        clock.Advance(TimeSpan.FromHours(16));
        Assert.Equal(0, tracker.Of("s").OnSite);
    }
}
