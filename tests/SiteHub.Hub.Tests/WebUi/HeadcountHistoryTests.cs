using SiteHub.Hub.Headcount;
using SiteHub.Protocols.Punches;

namespace SiteHub.Hub.Tests.WebUi;

public sealed class HeadcountHistoryTests
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly DateTimeOffset Midnight = new(2026, 3, 2, 0, 0, 0, TimeSpan.FromHours(8));
    private static readonly TimeSpan Window = TimeSpan.FromHours(16);

    private static Punch P(int seq, string person, Direction direction, DateTimeOffset at) => InProcessHub.MakePunch("s", "D", seq, person, direction, at);

    [Fact]
    public void The_day_steps_up_and_down_with_entries_and_exits_in_any_order()
    {
        var punches = new[]
        {
            P(3, "W1", Direction.Out, Midnight.AddHours(12)),
            P(1, "W1", Direction.In, Midnight.AddHours(7)),
            P(2, "W2", Direction.In, Midnight.AddHours(8)),
        };

        var points = HeadcountHistory.Replay(punches, Midnight, Midnight.AddHours(13), Window);

        Assert.Equal(
            [new(Midnight, 0), new(Midnight.AddHours(7), 1), new(Midnight.AddHours(8), 2), new(Midnight.AddHours(12), 1)],
            points);
    }

    [Fact]
    public void Who_came_in_before_midnight_is_on_site_at_the_start_until_the_window_passes()
    {
        var night = P(1, "W1", Direction.In, Midnight.AddHours(-2));

        var points = HeadcountHistory.Replay([night], Midnight, Midnight.AddHours(20), Window);

        Assert.Equal([new(Midnight, 1), new(Midnight.AddHours(14), 0)], points);
    }

    [Fact]
    public void An_older_punch_never_overrides_a_newer_one_and_a_repeated_in_counts_once()
    {
        var punches = new[]
        {
            P(1, "W1", Direction.In, Midnight.AddHours(7)),
            P(2, "W1", Direction.In, Midnight.AddHours(9)),
            P(3, "W1", Direction.Out, Midnight.AddHours(11)),
        };

        var points = HeadcountHistory.Replay(punches, Midnight, Midnight.AddHours(12), Window);

        Assert.Equal([new(Midnight, 0), new(Midnight.AddHours(7), 1), new(Midnight.AddHours(11), 0)], points);
    }

    [Fact]
    public void The_replay_ends_where_the_live_tracker_stands()
    {
        var now = Midnight.AddHours(15);
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(now);
        var tracker = new HeadcountTracker(clock, Microsoft.Extensions.Options.Options.Create(new Configuration.HubOptions { OnSiteWindow = Window }));
        var random = new Random(7);
        var punches = Enumerable.Range(1, 300)
            .Select(i => P(i, "W" + random.Next(40), random.Next(3) == 0 ? Direction.Out : Direction.In, Midnight.AddMinutes(random.Next(-20 * 60, 15 * 60))))
            .ToList();
        tracker.Apply(punches);

        var points = HeadcountHistory.Replay(punches, Midnight, now, Window);

        Assert.Equal(tracker.Of("s").OnSite, points[^1].OnSite);
    }

    [Fact]
    public void The_day_starts_at_midnight_in_the_sites_zone()
    {
        Assert.Equal(Midnight, HeadcountHistory.StartOfDay(new DateTimeOffset(2026, 3, 1, 17, 30, 0, TimeSpan.Zero), Shanghai));
    }
}
