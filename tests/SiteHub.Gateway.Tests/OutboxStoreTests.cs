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
    public async Task A_partly_delivered_commit_group_keeps_which_punches_were_acked_across_a_reopen()
    {
        using var folder = new TempFolder();
        using (var outbox = new OutboxStore(folder.Path, TimeProvider.System, NullLogger<OutboxStore>.Instance))
        {
            // One append of ten punches is one commit group, stored as one segment.
            await outbox.AppendAsync(Enumerable.Range(1, 10).Select(i => MakePunch("D1", i)).ToList(), Token);
            var all = outbox.ReadPending(0, 100, new HashSet<long>());
            await outbox.MarkDeliveredAsync([all[1].Seq, all[3].Seq, all[8].Seq], Token);
            await outbox.AppendAsync([MakePunch("D1", 11)], Token); // carries the delivery marks to disk
        }

        using var reopened = new OutboxStore(folder.Path, TimeProvider.System, NullLogger<OutboxStore>.Instance);
        var pending = reopened.ReadPending(0, 100, new HashSet<long>());

        Assert.Equal(["D1:1", "D1:3", "D1:5", "D1:6", "D1:7", "D1:8", "D1:10", "D1:11"], pending.Select(p => p.EventId));
        Assert.Equal(8, reopened.PendingCount);
        Assert.Equal(3, reopened.Counts().Delivered);
    }

    [Fact]
    public async Task A_commit_group_larger_than_a_segment_is_split_and_read_back_in_order()
    {
        using var folder = new TempFolder();
        using var outbox = new OutboxStore(folder.Path, TimeProvider.System, NullLogger<OutboxStore>.Instance);
        var count = OutboxStore.SegmentCapacity * 2 + 7;
        await outbox.AppendAsync(Enumerable.Range(1, count).Select(i => MakePunch("D1", i)).ToList(), Token);

        var read = new List<OutboxEntry>();
        for (var batch = outbox.ReadPending(0, 300, new HashSet<long>()); batch.Count > 0; batch = outbox.ReadPending(batch[^1].Seq, 300, new HashSet<long>()))
        {
            read.AddRange(batch);
        }

        Assert.Equal(Enumerable.Range(1, count).Select(i => $"D1:{i}"), read.Select(e => e.EventId));
        Assert.Equal(read.Select(e => e.Seq).Order(), read.Select(e => e.Seq));
        await outbox.MarkDeliveredAsync(read.ConvertAll(e => e.Seq), Token);
        Assert.Equal(0, outbox.PendingCount);
        Assert.Empty(outbox.ReadPending(0, 100, new HashSet<long>()));
    }

    [Fact]
    public async Task A_resend_is_recognised_after_a_reopen_while_within_the_dedupe_window()
    {
        using var folder = new TempFolder();
        using (var outbox = new OutboxStore(folder.Path, TimeProvider.System, NullLogger<OutboxStore>.Instance, dedupeWindow: 5))
        {
            for (var i = 1; i <= 8; i++)
            {
                await outbox.AppendAsync([MakePunch("D1", i)], Token);
            }
        }

        using var reopened = new OutboxStore(folder.Path, TimeProvider.System, NullLogger<OutboxStore>.Instance, dedupeWindow: 5);

        Assert.Equal(OutboxWriteOutcome.AlreadyPresent, await reopened.AppendAsync([MakePunch("D1", 8)], Token));
        Assert.Equal(OutboxWriteOutcome.AlreadyPresent, await reopened.AppendAsync([MakePunch("D1", 4)], Token));

        // Older than the window: stored again (the hub, which keeps every event id, drops it).
        Assert.Equal(OutboxWriteOutcome.Committed, await reopened.AppendAsync([MakePunch("D1", 1)], Token));
        Assert.Equal(9, reopened.PendingCount);
    }

    [Fact]
    public async Task An_outbox_of_the_one_document_per_punch_layout_is_upgraded_with_its_backlog_and_history()
    {
        using var folder = new TempFolder();
        var deliveredAt = new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        using (var old = new LiteDB.LiteDatabase(Path.Combine(folder.Path, "outbox.db")))
        {
            var punches = old.GetCollection("punches");
            foreach (var seq in new long[] { 1, 2, 3, 4, 5, 7, 8 })
            {
                var punch = MakePunch("D1", seq);
                punches.Insert(new LiteDB.BsonDocument
                {
                    ["_id"] = seq,
                    ["eid"] = punch.EventId,
                    ["pending"] = seq <= 3 ? LiteDB.BsonValue.Null : seq,
                    ["dlv"] = seq <= 3 ? deliveredAt : LiteDB.BsonValue.Null,
                    ["rcv"] = punch.ReceivedAt.UtcDateTime,
                    ["json"] = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(punch, SiteHub.Protocols.ProtocolsJsonContext.Default.Punch),
                });
            }
        }

        using var outbox = new OutboxStore(folder.Path, TimeProvider.System, NullLogger<OutboxStore>.Instance);

        Assert.Equal(["D1:4", "D1:5", "D1:7", "D1:8"], outbox.ReadPending(0, 100, new HashSet<long>()).Select(e => e.EventId));
        Assert.Equal(new OutboxCounts(4, 3, 0, outbox.OldestPendingAt()), outbox.Counts());
        Assert.Equal(Direction.In, outbox.FindPunch("D1:2")!.Direction);
        Assert.Equal(OutboxWriteOutcome.AlreadyPresent, await outbox.AppendAsync([MakePunch("D1", 8)], Token));
        Assert.Equal(3, await outbox.PruneDeliveredAsync(deliveredAt.AddDays(1), 1000, Token));
        Assert.True((await outbox.AppendAsync([MakePunch("D1", 9)], Token)) == OutboxWriteOutcome.Committed);
        Assert.Equal(9, outbox.ReadPending(0, 100, new HashSet<long>())[^1].Seq);
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
        using var committing = new SemaphoreSlim(0);
        var fail = true;
        using var committer = new GroupCommitter<int, int>("test", items =>
        {
            committing.Release();
            release.Wait(Token);
            return fail ? throw new IOException("disk full") : items.Select(i => i * 2).ToList();
        }, maxGroup: 100, linger: TimeSpan.Zero, NullLogger.Instance);

        var first = committer.SubmitAsync(1, Token);
        var second = committer.SubmitAsync(2, Token);
        await committing.WaitAsync(Token); // the writer is inside a commit, held there
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

    [Fact]
    public async Task A_commit_group_stops_at_its_weight_limit_and_every_item_is_committed()
    {
        var release = new ManualResetEventSlim();
        using var committing = new SemaphoreSlim(0);
        var groups = new List<int[]>();
        using var committer = new GroupCommitter<int, int>("test", items =>
        {
            groups.Add([.. items]);
            committing.Release();
            release.Wait(Token);
            return items;
        }, maxGroup: 100, linger: TimeSpan.Zero, NullLogger.Instance, weight: item => item, maxWeight: 6);

        var first = committer.SubmitAsync(1, Token);
        await committing.WaitAsync(Token); // the writer holds the first group while the rest queue up
        var rest = Enumerable.Range(0, 5).Select(_ => committer.SubmitAsync(3, Token)).ToList();
        release.Set();

        Assert.Equal(1, await first);
        Assert.All(await Task.WhenAll(rest), result => Assert.Equal(3, result));
        Assert.Equal([[1], [3, 3], [3, 3], [3]], groups);
    }
}
