using Microsoft.Extensions.Logging.Abstractions;
using SiteHub.Gateway.Outbox;
using SiteHub.Platform.Storage;
using SiteHub.Protocols.Punches;
using SiteHub.Testing;

namespace SiteHub.Gateway.Tests;

/// <summary>The outbox's group commit against a real LiteDB file in a temp folder.</summary>
public sealed class OutboxStoreTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static Punch MakePunch(string sn, long seq, string person = "W1") =>
        new DevicePunch(sn, seq, person, new DateTimeOffset(2026, 3, 2, 7, 30, 0, TimeSpan.FromHours(8)), Direction.In, VerifyMode.Face)
            .ToPunch("site-a", "gate-1", Direction.In, DateTimeOffset.UtcNow, "sitehub-v1");

    [Fact]
    public async Task Concurrent_appends_share_commits_and_all_are_stored()
    {
        using var folder = new TempFolder();
        using var outbox = new OutboxStore(folder.Path, TimeProvider.System, NullLogger<OutboxStore>.Instance);

        var writes = Enumerable.Range(0, 2000).Select(i => outbox.AppendAsync([MakePunch($"D{i % 50}", i)], Token));
        var outcomes = await Task.WhenAll(writes);

        Assert.All(outcomes, o => Assert.Equal(OutboxWriteOutcome.Committed, o));
        Assert.Equal(2000, outbox.PendingCount);
        Assert.True(outbox.Committer.Commits < 2000, $"expected group commits, got {outbox.Committer.Commits} commits for 2000 punches");
    }

    [Fact]
    public async Task A_punch_appended_twice_is_stored_once()
    {
        using var folder = new TempFolder();
        using var outbox = new OutboxStore(folder.Path, TimeProvider.System, NullLogger<OutboxStore>.Instance);

        Assert.Equal(OutboxWriteOutcome.Committed, await outbox.AppendAsync([MakePunch("D1", 1)], Token));
        Assert.Equal(OutboxWriteOutcome.AlreadyPresent, await outbox.AppendAsync([MakePunch("D1", 1)], Token));
        var both = await Task.WhenAll(outbox.AppendAsync([MakePunch("D1", 2)], Token), outbox.AppendAsync([MakePunch("D1", 2)], Token));

        Assert.Contains(OutboxWriteOutcome.AlreadyPresent, both);
        Assert.Equal(2, outbox.Counts().Pending);
    }

    [Fact]
    public async Task Pending_punches_survive_a_reopen_and_delivered_ones_leave_the_backlog()
    {
        using var folder = new TempFolder();
        using (var outbox = new OutboxStore(folder.Path, TimeProvider.System, NullLogger<OutboxStore>.Instance))
        {
            for (var i = 1; i <= 10; i++)
            {
                await outbox.AppendAsync([MakePunch("D1", i)], Token);
            }

            var firstFour = outbox.ReadPending(0, 4, new HashSet<long>());
            await outbox.MarkDeliveredAsync(firstFour.ConvertAll(e => e.Seq), Token);
        }

        using var reopened = new OutboxStore(folder.Path, TimeProvider.System, NullLogger<OutboxStore>.Instance);
        var pending = reopened.ReadPending(0, 100, new HashSet<long>());

        Assert.Equal(6, reopened.PendingCount);
        Assert.Equal(["D1:5", "D1:6", "D1:7", "D1:8", "D1:9", "D1:10"], pending.Select(p => p.EventId));
        Assert.Equal(new OutboxCounts(6, 4, 0, pending[0].ReceivedAt), reopened.Counts() with { OldestPendingAt = pending[0].ReceivedAt });

        // New punches continue the sequence after the reopen.
        await reopened.AppendAsync([MakePunch("D1", 11)], Token);
        Assert.True(reopened.ReadPending(0, 100, new HashSet<long>())[^1].Seq > pending[^1].Seq);
    }

    [Fact]
    public async Task Delivered_punches_past_the_retention_are_pruned_and_pending_ones_never()
    {
        using var folder = new TempFolder();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        using var outbox = new OutboxStore(folder.Path, clock, NullLogger<OutboxStore>.Instance);
        for (var i = 1; i <= 10; i++)
        {
            await outbox.AppendAsync([MakePunch("D1", i)], Token);
        }

        var firstSix = outbox.ReadPending(0, 6, new HashSet<long>());
        await outbox.MarkDeliveredAsync(firstSix.ConvertAll(e => e.Seq), Token);
        clock.Advance(TimeSpan.FromDays(8));
        await outbox.AppendAsync([MakePunch("D1", 11)], Token);

        Assert.Equal(0, await outbox.PruneDeliveredAsync(clock.GetUtcNow() - TimeSpan.FromDays(9), 1000, Token));
        Assert.Equal(6, await outbox.PruneDeliveredAsync(clock.GetUtcNow() - TimeSpan.FromDays(7), 1000, Token));

        var counts = outbox.Counts();
        Assert.Equal(5, counts.Pending);
        Assert.Equal(0, counts.Delivered);
        Assert.Equal(5, outbox.ReadPending(0, 100, new HashSet<long>()).Count);
    }

    [Fact]
    public async Task Draining_a_backlog_leaves_the_log_checkpointed_without_waiting_for_another_punch()
    {
        using var folder = new TempFolder();
        using var outbox = new OutboxStore(folder.Path, TimeProvider.System, NullLogger<OutboxStore>.Instance);
        for (var batch = 0; batch < 10; batch++)
        {
            await outbox.AppendAsync(Enumerable.Range((batch * 1000) + 1, 1000).Select(i => MakePunch("D1", i)).ToList(), Token);
        }

        // The hub's acks come back a few punches at a time, each marked delivered in a commit of its own.
        foreach (var acked in outbox.ReadPending(0, 100_000, new HashSet<long>()).Chunk(5))
        {
            await outbox.MarkDeliveredAsync(acked.Select(e => e.Seq).ToList(), Token);
        }

        Assert.Equal(0, outbox.PendingCount);
        var log = new FileInfo(Path.Combine(folder.Path, "outbox-log.db")).Length;
        Assert.True(log <= DurableLiteDatabase.CheckpointLogBytes + (1024 * 1024), $"the log is {log} bytes after the drain");
    }

    [Fact]
    public async Task Commit_callers_wait_for_the_commit_and_all_fail_when_it_fails()
    {
        var release = new ManualResetEventSlim();
        var fail = true;
        using var committer = new GroupCommitter<int, int>("test", items =>
        {
            release.Wait(Token);
            return fail ? throw new IOException("disk full") : items.Select(i => i * 2).ToList();
        }, maxGroup: 100, linger: TimeSpan.Zero, NullLogger.Instance);

        var first = committer.SubmitAsync(1, Token);
        var second = committer.SubmitAsync(2, Token);
        await Task.Delay(50, Token); // give the writer time to (not) complete anything
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);

        release.Set();
        await Assert.ThrowsAsync<IOException>(() => first);
        await Assert.ThrowsAsync<IOException>(() => second);
        Assert.False(committer.Healthy);

        fail = false;
        Assert.Equal(6, await committer.SubmitAsync(3, Token));
        Assert.True(committer.Healthy);
    }
}
