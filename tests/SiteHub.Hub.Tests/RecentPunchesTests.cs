using SiteHub.Hub.Ingest;
using SiteHub.Protocols.Punches;

namespace SiteHub.Hub.Tests;

public sealed class RecentPunchesTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 2, 7, 0, 0, TimeSpan.FromHours(8));

    private static List<StoredPunch> Commit(long firstSeq, int count) =>
        Enumerable.Range(0, count).Select(i => new StoredPunch(firstSeq + i, InProcessHub.MakePunch("site-a", "D1", firstSeq + i, "W1", Direction.In, At))).ToList();

    private static List<long> SeqsAfter(RecentPunches recent, long afterSeq, int limit)
    {
        Assert.True(recent.TryReadAfter(afterSeq, limit, out var punches), $"held after {afterSeq}");
        return punches.Select(p => p.Seq).ToList();
    }

    [Fact]
    public void Reads_after_any_held_sequence_across_commits_up_to_the_limit()
    {
        var recent = new RecentPunches(capacity: 100);
        recent.Append(Commit(11, 5));
        recent.Append(Commit(16, 5));

        Assert.Equal([11L, 12, 13, 14, 15, 16, 17, 18, 19, 20], SeqsAfter(recent, 10, 100));
        Assert.Equal([14L, 15, 16, 17], SeqsAfter(recent, 13, 4));
        Assert.Equal([16L, 17], SeqsAfter(recent, 15, 2));
        Assert.Empty(SeqsAfter(recent, 20, 10)); // caught up: nothing committed after it yet
    }

    [Fact]
    public void A_follower_further_behind_than_what_is_held_reads_the_file()
    {
        var recent = new RecentPunches(capacity: 100);
        Assert.False(recent.TryReadAfter(0, 10, out _)); // nothing held yet (a store just opened)

        recent.Append(Commit(11, 5));

        Assert.False(recent.TryReadAfter(9, 10, out _));
        Assert.Equal([11L, 12], SeqsAfter(recent, 10, 2));
    }

    [Fact]
    public void Whole_commits_are_dropped_oldest_first_past_the_capacity()
    {
        var recent = new RecentPunches(capacity: 10);
        recent.Append(Commit(1, 6));
        recent.Append(Commit(7, 6)); // 12 held: the first commit goes

        Assert.False(recent.TryReadAfter(0, 100, out _));
        Assert.False(recent.TryReadAfter(5, 100, out _));
        Assert.Equal([7L, 8, 9, 10, 11, 12], SeqsAfter(recent, 6, 100));

        recent.Append(Commit(13, 30)); // larger than the capacity on its own: kept, the older one goes
        Assert.False(recent.TryReadAfter(6, 100, out _));
        Assert.Equal(30, SeqsAfter(recent, 12, 100).Count);
    }

    [Fact]
    public void A_commit_that_does_not_follow_on_from_the_last_held_starts_again()
    {
        // A commit that failed after reaching the file took 6-8; the store reopened and went on at 9.
        var recent = new RecentPunches(capacity: 100);
        recent.Append(Commit(1, 5));
        recent.Append(Commit(9, 3));

        Assert.False(recent.TryReadAfter(5, 100, out _)); // 6-8 are only in the file
        Assert.False(recent.TryReadAfter(2, 100, out _));
        Assert.Equal([9L, 10, 11], SeqsAfter(recent, 8, 100));
    }
}
