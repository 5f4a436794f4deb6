using LiteDB;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SiteHub.Hub.Configuration;
using SiteHub.Hub.Ingest;
using SiteHub.Platform.Storage;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.Uplink;
using SiteHub.Testing;

namespace SiteHub.Hub.Tests;

public sealed class PunchStoreTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    internal static PunchStore Open(TempFolder folder) =>
        new(Options.Create(new HubOptions { DataPath = folder.Path, TimeZone = "Asia/Shanghai" }), NullLogger<PunchStore>.Instance);

    [Fact]
    public async Task Dedupe_by_event_id_across_batches_within_a_batch_and_across_reopen()
    {
        using var folder = new TempFolder();
        var at = new DateTimeOffset(2026, 3, 2, 7, 0, 0, TimeSpan.FromHours(8));
        var p1 = InProcessHub.MakePunch("site-a", "D1", 1, "W1", Direction.In, at);
        var p2 = InProcessHub.MakePunch("site-a", "D1", 2, "W2", Direction.In, at);
        using (var store = Open(folder))
        {
            var ack = await store.StoreAsync("site-a", new PunchBatch("site-a", "b1", [p1, p2, p1]), Token);
            Assert.Equal(("b1", 2, 1, 0), (ack.BatchId, ack.Accepted, ack.Duplicates, ack.Rejected.Count));
        }

        using var reopened = Open(folder);
        var again = await reopened.StoreAsync("site-a", new PunchBatch("site-a", "b2", [p2, p1]), Token);

        Assert.Equal(0, again.Accepted);
        Assert.Equal(2, again.Duplicates);
        Assert.Equal(2, reopened.Count);
    }

    [Fact]
    public async Task In_a_store_created_comparing_ignoring_case_ids_differing_in_case_stay_one_id_and_commits_go_on()
    {
        using var folder = new TempFolder();
        using (var before = DurableLiteDatabase.Open(Path.Combine(folder.Path, "hub.db"))) // as files were made before ordinal ones
        {
            before.Database.GetCollection("cursors").Insert(new BsonDocument { ["_id"] = "influx", ["seq"] = 0L });
            before.Checkpoint();
        }

        using var store = Open(folder);
        var at = new DateTimeOffset(2026, 3, 2, 7, 0, 0, TimeSpan.FromHours(8));
        var lower = InProcessHub.MakePunch("site-a", "d1", 1, "W1", Direction.In, at);
        var upper = lower with { EventId = lower.EventId.ToUpperInvariant(), DeviceSn = "D1" };
        await store.StoreAsync("site-a", new PunchBatch("site-a", "b1", [lower]), Token);

        var again = await store.StoreAsync("site-a", new PunchBatch("site-a", "b2", [upper]), Token);
        var next = await store.StoreAsync("site-a", new PunchBatch("site-a", "b3", [InProcessHub.MakePunch("site-a", "d1", 2, "W1", Direction.Out, at.AddHours(9))]), Token);

        Assert.Equal((0, 1), (again.Accepted, again.Duplicates));
        Assert.Equal(1, next.Accepted);
        Assert.True(store.Committer.Healthy);
    }

    [Fact]
    public async Task Event_ids_are_compared_exactly_in_a_new_store()
    {
        using var folder = new TempFolder();
        using var store = Open(folder);
        var at = new DateTimeOffset(2026, 3, 2, 7, 0, 0, TimeSpan.FromHours(8));
        var lower = InProcessHub.MakePunch("site-a", "d1", 1, "W1", Direction.In, at);
        var upper = lower with { EventId = lower.EventId.ToUpperInvariant(), DeviceSn = "D1" };
        Assert.NotEqual(lower.EventId, upper.EventId);

        var ack = await store.StoreAsync("site-a", new PunchBatch("site-a", "b1", [lower, upper]), Token);

        Assert.Equal((2, 0), (ack.Accepted, ack.Duplicates));
    }

    [Fact]
    public async Task A_failing_listener_neither_fails_the_commit_nor_stops_later_announcements()
    {
        using var folder = new TempFolder();
        using var store = Open(folder);
        var at = new DateTimeOffset(2026, 3, 2, 7, 0, 0, TimeSpan.FromHours(8));
        var announced = Channel.CreateUnbounded<long>();
        var calls = 0;
        store.Committed += punches =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new InvalidOperationException("listener bug");
            }

            announced.Writer.TryWrite(punches[^1].Seq);
        };

        var first = await store.StoreAsync("site-a", new PunchBatch("site-a", "b1", [InProcessHub.MakePunch("site-a", "D1", 1, "W1", Direction.In, at)]), Token);
        var second = await store.StoreAsync("site-a", new PunchBatch("site-a", "b2", [InProcessHub.MakePunch("site-a", "D1", 2, "W1", Direction.Out, at.AddHours(1))]), Token);

        Assert.Equal((1, 1), (first.Accepted, second.Accepted));
        Assert.Equal(2, await announced.Reader.ReadAsync(Token));
    }

    [Fact]
    public async Task A_store_of_one_document_per_punch_is_converted_on_open_with_nothing_lost_or_doubled()
    {
        using var folder = new TempFolder();
        var at = new DateTimeOffset(2026, 3, 2, 7, 0, 0, TimeSpan.FromHours(8));
        var old = Enumerable.Range(1, 2500).Select(i => InProcessHub.MakePunch("site-a", "D1", i, $"W{i % 7}", i % 2 == 0 ? Direction.In : Direction.Out, at.AddSeconds(i))).ToList();
        using (var file = new LiteDB.LiteDatabase(Path.Combine(folder.Path, "hub.db")))
        {
            // The layout before segments: one document per punch, _id = hub sequence.
            var punches = file.GetCollection("punches");
            punches.EnsureIndex("eid", unique: true);
            punches.EnsureIndex("at");
            punches.InsertBulk(old.Select((p, i) => new LiteDB.BsonDocument
            {
                ["_id"] = (long)(i + 1), ["eid"] = p.EventId, ["site"] = p.SiteId, ["dev"] = p.DeviceSn, ["gate"] = p.GateId, ["person"] = p.PersonId,
                ["dir"] = (int)p.Direction, ["at"] = p.OccurredAt.UtcDateTime, ["atTicks"] = p.OccurredAt.UtcTicks, ["off"] = (int)p.OccurredAt.Offset.TotalMinutes,
                ["rcv"] = p.ReceivedAt.UtcTicks, ["mode"] = (int)p.VerifyMode, ["proto"] = p.Protocol,
            }));
        }

        using var store = Open(folder);

        Assert.Equal(2500, store.Count);
        Assert.Equal(2500, store.LastSeq);
        var read = store.ReadAfter(1000, 5000);
        Assert.Equal(Enumerable.Range(1001, 1500).Select(i => (long)i), read.Select(p => p.Seq));
        Assert.Equal(old[1000] with { ReceivedAt = read[0].Punch.ReceivedAt }, read[0].Punch);
        Assert.Equal(3, store.Query("site-a", null, at.AddSeconds(10), at.AddSeconds(12), 100).Count);
        var again = await store.StoreAsync("site-a", new PunchBatch("site-a", "b1", [old[0], old[2499], InProcessHub.MakePunch("site-a", "D1", 9999, "W1", Direction.In, at)]), Token);
        Assert.Equal((1, 2), (again.Accepted, again.Duplicates));
        Assert.Equal(2501, Assert.Single(store.ReadAfter(2500, 10)).Seq);
    }

    [Fact]
    public async Task Reads_cross_segments_in_order_and_time_queries_find_late_punches()
    {
        using var folder = new TempFolder();
        using var store = Open(folder);
        var at = new DateTimeOffset(2026, 3, 2, 7, 0, 0, TimeSpan.FromHours(8));
        var batch = Enumerable.Range(1, PunchStore.SegmentCapacity + 500).Select(i => InProcessHub.MakePunch("site-a", "D1", i, "W1", Direction.In, at.AddSeconds(i))).ToList();
        await store.StoreAsync("site-a", new PunchBatch("site-a", "b1", batch), Token);
        // A gateway's backlog from the day before arrives later, in a segment of its own.
        var late = InProcessHub.MakePunch("site-a", "D2", 1, "W2", Direction.In, at.AddDays(-1));
        await store.StoreAsync("site-a", new PunchBatch("site-a", "b2", [late]), Token);

        Assert.Equal(Enumerable.Range(1, batch.Count + 1).Select(i => (long)i), store.ReadAfter(0, 10_000).Select(p => p.Seq));
        Assert.Equal([batch.Count + 1L], store.ReadAfter(batch.Count, 10).Select(p => p.Seq));
        var day = store.Query(null, null, at.AddDays(-2), at.AddSeconds(2), 10);
        Assert.Equal([late.EventId, batch[0].EventId, batch[1].EventId], day.Select(p => p.EventId));
        Assert.Equal(2, store.OccurredSince(at.AddSeconds(batch.Count - 2)).Count());
    }

    [Fact]
    public async Task Stored_punches_read_back_unchanged_and_in_stream_order()
    {
        using var folder = new TempFolder();
        using var store = Open(folder);
        var original = InProcessHub.MakePunch("site-a", "D1", 9, "W7", Direction.Out, new DateTimeOffset(2026, 3, 2, 18, 1, 2, TimeSpan.FromHours(8))) with { Temperature = 36.6, Liveness = 0.93 };

        await store.StoreAsync("site-a", new PunchBatch("site-a", "b1", [original]), Token);

        var stored = Assert.Single(store.ReadAfter(0, 10));
        Assert.Equal(1, stored.Seq);
        Assert.Equal(original with { ReceivedAt = stored.Punch.ReceivedAt }, stored.Punch);
        Assert.Equal(original.OccurredAt.Offset, stored.Punch.OccurredAt.Offset);
        Assert.Single(store.Query("site-a", "W7", original.OccurredAt.AddMinutes(-1), original.OccurredAt.AddMinutes(1), 10));
        Assert.Empty(store.Query("site-b", null, null, null, 10));
    }

    [Fact]
    public async Task Followers_read_the_same_punches_from_the_latest_commits_in_memory_as_from_the_file()
    {
        using var folder = new TempFolder();
        var at = new DateTimeOffset(2026, 3, 2, 7, 0, 0, TimeSpan.FromHours(8));
        var punches = Enumerable.Range(1, 30).Select(i => InProcessHub.MakePunch("site-a", $"D{i % 3}", i, $"W{i % 7}", i % 2 == 0 ? Direction.In : Direction.Out, at.AddSeconds(i)) with { Temperature = i % 4 == 0 ? 36.5 : null }).ToList();
        List<StoredPunch> fromMemory;
        using (var store = Open(folder))
        {
            await store.StoreAsync("site-a", new PunchBatch("site-a", "b1", punches[..10]), Token);
            await store.StoreAsync("site-a", new PunchBatch("site-a", "b2", [.. punches[10..], punches[3]]), Token);
            fromMemory = [.. store.ReadAfter(0, 100), .. store.ReadAfter(25, 100)];
            Assert.Equal([.. punches.Select(p => p.EventId), .. punches[25..].Select(p => p.EventId)], fromMemory.Select(p => p.Punch.EventId));
        }

        using var reopened = Open(folder); // nothing committed since it opened: every read goes to the file
        List<StoredPunch> fromFile = [.. reopened.ReadAfter(0, 100), .. reopened.ReadAfter(25, 100)];

        Assert.Equal(fromMemory.Select(p => p.Seq), fromFile.Select(p => p.Seq));
        Assert.Equal(fromMemory.Select(p => p.Punch), fromFile.Select(p => p.Punch));
        Assert.Equal(fromMemory.Select(p => p.Punch.OccurredAt.Offset), fromFile.Select(p => p.Punch.OccurredAt.Offset));

        // The first commit after opening is held; a follower still behind it reads the file.
        var ack = await reopened.StoreAsync("site-a", new PunchBatch("site-a", "b3", [InProcessHub.MakePunch("site-a", "D1", 99, "W1", Direction.In, at)]), Token);
        Assert.Equal(1, ack.Accepted);
        Assert.Equal([31L], reopened.ReadAfter(30, 10).Select(p => p.Seq));
        Assert.Equal(Enumerable.Range(21, 11).Select(i => (long)i), reopened.ReadAfter(20, 100).Select(p => p.Seq));
    }
}
