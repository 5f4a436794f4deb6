using System.Text.Json;
using JsonSerializer = System.Text.Json.JsonSerializer;
using LiteDB;
using Microsoft.Extensions.Logging;
using SiteHub.Platform.Storage;
using SiteHub.Protocols;
using SiteHub.Protocols.Punches;

namespace SiteHub.Gateway.Outbox;

/// <summary>A committed punch waiting in (or delivered from) the outbox.</summary>
/// <param name="Seq">Position in the outbox, increasing with commit order.</param>
/// <param name="EventId">The punch's event id.</param>
/// <param name="ReceivedAt">When the gateway received it.</param>
/// <param name="Json">The canonical punch as UTF-8 JSON, ready to go into a batch unchanged.</param>
public sealed record OutboxEntry(long Seq, string EventId, DateTimeOffset ReceivedAt, byte[] Json);

/// <summary>A payload that could not be decoded, kept raw with the reason.</summary>
public sealed record QuarantinedPayload
{
    public ObjectId? Id { get; init; }
    public DateTimeOffset At { get; init; }
    public string DeviceSn { get; init; } = "";
    public string Source { get; init; } = "";
    public string Protocol { get; init; } = "";
    public string Reason { get; init; } = "";
    public int Size { get; init; }
    public bool Truncated { get; init; }
    public byte[] Raw { get; init; } = [];

    /// <summary>When a replay decoded it and its punches were committed; null while it is still undecodable.</summary>
    public DateTimeOffset? ReplayedAt { get; init; }

    /// <summary>How many times the site admin replayed it.</summary>
    public int Replays { get; init; }
}

/// <summary>Counts shown by <c>GET /api/outbox</c>.</summary>
public sealed record OutboxCounts(long Pending, long Delivered, long Quarantined, DateTimeOffset? OldestPendingAt);

/// <summary>What was done with one submitted punch.</summary>
public enum OutboxWriteOutcome
{
    Committed,
    AlreadyPresent,
    Quarantined,
    MarkedDelivered,
    Pruned,
}

/// <summary>
/// The gateway's durable outbox, <c>outbox.db</c>: committed punches (pending until the hub acks
/// them) and quarantined payloads. Every write goes through one <see cref="GroupCommitter{TItem,TResult}"/>,
/// so many devices' punches share one fsync; a caller's task completes only after that fsync.
/// </summary>
/// <remarks>
/// <para>Punches are stored by commit group, not one document each: LiteDB's cost is per document
/// and per index entry, and with single-punch device messages the outbox spent most of its commit
/// thread on per-punch inserts, dedupe lookups and delivery updates. A group's punches (consecutive
/// seqs, at most <see cref="SegmentCapacity"/>) go into one <c>segments</c> document
/// (<c>_id</c> = first seq, <c>eids</c>, <c>rcv</c>, <c>json</c> arrays) and one small
/// <c>segment_state</c> document (<c>_id</c>, <c>n</c>, <c>pending</c> = first seq while any punch
/// is unacked, else null, <c>rcv</c>, <c>dlv</c>, <c>map</c> = which punches are delivered).</para>
/// <para>Dedupe of device resends uses a window of the most recent event ids held in memory
/// (<see cref="RecentEventIds"/>, refilled from disk on open); the hub dedupes everything anyway.
/// Delivery marks, like before, are committed without an fsync of their own: lost in a power cut
/// they only cause a resend that the hub dedupes.</para>
/// </remarks>
public sealed class OutboxStore : IDisposable
{
    /// <summary>Most punches in one segment document; a bigger commit group is split.</summary>
    public const int SegmentCapacity = 1000;

    /// <summary>Most punches in one commit group (single-punch messages or batches alike).</summary>
    public const int MaxGroupPunches = 2000;

    /// <summary>Event ids remembered for dedupe when no window is configured.</summary>
    public const int DefaultDedupeWindow = 100_000;

    private readonly DurableLiteDatabase _db;
    private readonly GroupCommitter<OutboxWrite, OutboxWriteOutcome> _committer;
    private readonly TimeProvider _clock;
    private readonly BsonExpression _byId = BsonExpression.Create("_id = @0");
    private readonly RecentEventIds _recent;

    // Segments with unacked punches, by first seq. Changed on the writer thread, read by the
    // uplink and the API: every access holds _gate.
    private readonly object _gate = new();
    private readonly SortedList<long, PendingSegment> _pending = [];
    private long _nextSeq;
    private long _pendingCount;
    private long _storedCount;
    private volatile SegmentData? _lastRead;

    public OutboxStore(string dataPath, TimeProvider clock, ILogger<OutboxStore> logger, int dedupeWindow = DefaultDedupeWindow)
    {
        _clock = clock;
        _recent = new RecentEventIds(dedupeWindow);
        _db = CaseInsensitiveKeys.Open(Path.Combine(dataPath, "outbox.db"), logger);
        OutboxUpgrade.FromDocumentPerPunch(_db.Database, StateDocs, DataDocs);
        LoadState();
        _db.CommitDurably();
        // At most 2,000 punches per commit, however they arrive: a replaying device sends 200 per
        // message, so 2,000 messages made groups of up to 400,000 punches. When 200 devices flushed
        // their caches at once, one commit held ~30,000 punches with their JSON, BSON and ~1,200
        // transaction pages in memory together (the pages stay in LiteDB's cache for good).
        _committer = new GroupCommitter<OutboxWrite, OutboxWriteOutcome>("outbox", CommitGroup, maxGroup: MaxGroupPunches, linger: TimeSpan.Zero, logger,
            weight: write => write is OutboxWrite.Append append ? append.Punches.Count : 1, maxWeight: MaxGroupPunches, afterAcks: _db.CheckpointIfLogLarge);
    }

    // Fetched from the current engine each time: it is replaced when the store reopens after a failed write.
    private ILiteCollection<BsonDocument> DataDocs => _db.Database.GetCollection("segments");

    private ILiteCollection<BsonDocument> StateDocs => _db.Database.GetCollection("segment_state");

    private ILiteCollection<QuarantinedPayload> QuarantineDocs => _db.Database.GetCollection<QuarantinedPayload>("quarantine");

    /// <summary>Rebuilds what is kept in memory from the files (on open, and after a reopen).</summary>
    private void LoadState()
    {
        long next = 1, stored = 0, pending = 0;
        var segments = new List<PendingSegment>();
        foreach (var state in StateDocs.FindAll())
        {
            var count = state["n"].AsInt32;
            stored += count;
            next = Math.Max(next, state["_id"].AsInt64 + count);
            if (!state["pending"].IsNull)
            {
                var segment = new PendingSegment(state["_id"].AsInt64, count, ToUtc(state["rcv"]), state["map"].IsNull ? null : state["map"].AsBinary);
                segments.Add(segment);
                pending += segment.PendingCount;
            }
        }

        _recent.Clear();
        var newestFirst = new List<string>();
        foreach (var data in DataDocs.Find(Query.All("_id", Query.Descending)))
        {
            var eids = data["eids"].AsArray;
            for (var i = eids.Count - 1; i >= 0 && newestFirst.Count < _recent.Capacity; i--)
            {
                newestFirst.Add(eids[i].AsString);
            }

            if (newestFirst.Count >= _recent.Capacity)
            {
                break;
            }
        }

        for (var i = newestFirst.Count - 1; i >= 0; i--)
        {
            _recent.Add(newestFirst[i]);
        }

        lock (_gate)
        {
            _pending.Clear();
            foreach (var segment in segments)
            {
                _pending.Add(segment.First, segment);
            }

            _nextSeq = next;
            _storedCount = stored;
            _pendingCount = pending;
        }

        _lastRead = null;
    }

    /// <summary>Raised on the writer thread with the punches of each durable commit, for the live uplink path.</summary>
    public event Action<IReadOnlyList<OutboxEntry>>? Committed;

    /// <summary>The commit machinery (health and metrics).</summary>
    public GroupCommitter<OutboxWrite, OutboxWriteOutcome> Committer => _committer;

    /// <summary>Punches not yet acked by the hub.</summary>
    public long PendingCount => Interlocked.Read(ref _pendingCount);

    /// <summary>Commits punches; completes once they are on disk. Punches already in the outbox (within the dedupe window) are not stored again.</summary>
    public Task<OutboxWriteOutcome> AppendAsync(IReadOnlyList<Punch> punches, CancellationToken cancellationToken = default) =>
        _committer.SubmitAsync(new OutboxWrite.Append(punches), cancellationToken);

    /// <summary>Keeps an undecodable payload with the reason; completes once it is on disk.</summary>
    public Task<OutboxWriteOutcome> QuarantineAsync(QuarantinedPayload payload, CancellationToken cancellationToken = default) =>
        _committer.SubmitAsync(new OutboxWrite.Quarantine(payload), cancellationToken);

    /// <summary>Punches deleted by the last commit that pruned.</summary>
    public int LastPruned { get; private set; }

    /// <summary>
    /// Deletes the oldest segments whose punches the hub all acked before <paramref name="deliveredBefore"/>,
    /// stopping once <paramref name="max"/> punches are deleted; returns how many were.
    /// </summary>
    public async Task<int> PruneDeliveredAsync(DateTimeOffset deliveredBefore, int max, CancellationToken cancellationToken = default)
    {
        await _committer.SubmitAsync(new OutboxWrite.Prune(deliveredBefore, max), cancellationToken);
        return LastPruned;
    }

    /// <summary>Marks punches delivered (the hub acked them).</summary>
    public Task<OutboxWriteOutcome> MarkDeliveredAsync(IReadOnlyList<long> seqs, CancellationToken cancellationToken = default) =>
        _committer.SubmitAsync(new OutboxWrite.Delivered(seqs), cancellationToken);

    /// <summary>Pending punches with a seq above <paramref name="afterSeq"/>, in commit order, skipping <paramref name="skip"/>.</summary>
    public List<OutboxEntry> ReadPending(long afterSeq, int limit, IReadOnlySet<long> skip)
    {
        var result = new List<OutboxEntry>(Math.Min(limit, 1024));
        foreach (var (first, undelivered) in PendingAfter(afterSeq))
        {
            var data = ReadSegment(first);
            if (data is null)
            {
                continue; // pruned meanwhile: nothing of it is pending any more
            }

            for (var i = 0; i < data.EventIds.Length && result.Count < limit; i++)
            {
                var seq = first + i;
                if (seq > afterSeq && undelivered[i] && !skip.Contains(seq))
                {
                    result.Add(new OutboxEntry(seq, data.EventIds[i], data.ReceivedAt[i], data.Json[i]));
                }
            }

            if (result.Count == limit)
            {
                break;
            }
        }

        return result;
    }

    /// <summary>The pending segments that hold seqs above <paramref name="afterSeq"/>, each with which of its punches are still unacked (a copy).</summary>
    private IEnumerable<(long First, bool[] Undelivered)> PendingAfter(long afterSeq)
    {
        var index = 0;
        while (true)
        {
            (long, bool[]) next;
            lock (_gate)
            {
                while (index < _pending.Count && _pending.Values[index].Last <= afterSeq)
                {
                    index++;
                }

                if (index >= _pending.Count)
                {
                    yield break;
                }

                var segment = _pending.Values[index];
                var undelivered = new bool[segment.Count];
                for (var i = 0; i < undelivered.Length; i++)
                {
                    undelivered[i] = !segment.IsDelivered(segment.First + i);
                }

                next = (segment.First, undelivered);
                afterSeq = segment.Last;
            }

            yield return next;
        }
    }

    /// <summary>One segment's punches, from a one-segment cache: the uplink reads a segment in several batches.</summary>
    private SegmentData? ReadSegment(long first)
    {
        if (_lastRead is { } cached && cached.First == first)
        {
            return cached;
        }

        var doc = FindById(DataDocs, first);
        if (doc is null)
        {
            return null;
        }

        var data = SegmentData.From(doc);
        _lastRead = data;
        return data;
    }

    /// <summary>When the oldest pending punch was received (to within its commit group); null when nothing is pending.</summary>
    public DateTimeOffset? OldestPendingAt()
    {
        lock (_gate)
        {
            return _pending.Count == 0 ? null : _pending.Values[0].FirstReceivedAt;
        }
    }

    /// <summary>Counts for the API (quarantined is counted on disk: not for hot paths).</summary>
    public OutboxCounts Counts()
    {
        long pending, stored;
        lock (_gate)
        {
            pending = _pendingCount;
            stored = _storedCount;
        }

        return new OutboxCounts(pending, stored - pending, QuarantineDocs.LongCount(), OldestPendingAt());
    }

    /// <summary>The quarantined payloads, newest first.</summary>
    public IReadOnlyList<QuarantinedPayload> Quarantined(int limit) =>
        QuarantineDocs.Query().OrderByDescending(q => q.At).Limit(limit).ToList();

    /// <summary>One quarantined payload by id; null when there is none.</summary>
    public QuarantinedPayload? FindQuarantined(ObjectId id) => QuarantineDocs.FindById(id);

    /// <summary>Rewrites a quarantined payload (after a replay); completes once it is on disk.</summary>
    public Task<OutboxWriteOutcome> UpdateQuarantinedAsync(QuarantinedPayload payload, CancellationToken cancellationToken = default) =>
        _committer.SubmitAsync(new OutboxWrite.QuarantineUpdate(payload), cancellationToken);

    /// <summary>Reads a punch back by event id, newest segments first (tests and investigations: a scan, not for hot paths).</summary>
    public Punch? FindPunch(string eventId)
    {
        foreach (var doc in DataDocs.Find(Query.All("_id", Query.Descending)))
        {
            var eids = doc["eids"].AsArray;
            for (var i = 0; i < eids.Count; i++)
            {
                if (eids[i].AsString == eventId)
                {
                    return JsonSerializer.Deserialize(doc["json"].AsArray[i].AsBinary, ProtocolsJsonContext.Default.Punch);
                }
            }
        }

        return null;
    }

    private OutboxWriteOutcome[] CommitGroup(IReadOnlyList<OutboxWrite> writes)
    {
        var outcomes = new OutboxWriteOutcome[writes.Count];
        var committed = new List<OutboxEntry>();
        if (_db.BeginTransaction())
        {
            LoadState(); // the last commit failed and the store was reopened
        }

        var seqBefore = _nextSeq;
        var newInGroup = new HashSet<string>(StringComparer.Ordinal);
        var deliveredNow = new Dictionary<long, PendingSegment>();
        long deliveredCount = 0;
        var prunedCount = 0;
        try
        {
            for (var i = 0; i < writes.Count; i++)
            {
                switch (writes[i])
                {
                    case OutboxWrite.Append append:
                        var added = 0;
                        foreach (var punch in append.Punches)
                        {
                            if (_recent.Contains(punch.EventId) || !newInGroup.Add(punch.EventId))
                            {
                                continue;
                            }

                            committed.Add(new OutboxEntry(_nextSeq++, punch.EventId, punch.ReceivedAt,
                                JsonSerializer.SerializeToUtf8Bytes(punch, ProtocolsJsonContext.Default.Punch)));
                            added++;
                        }

                        outcomes[i] = added > 0 || append.Punches.Count == 0 ? OutboxWriteOutcome.Committed : OutboxWriteOutcome.AlreadyPresent;
                        break;
                    case OutboxWrite.Quarantine quarantine:
                        QuarantineDocs.Insert(quarantine.Payload);
                        outcomes[i] = OutboxWriteOutcome.Quarantined;
                        break;
                    case OutboxWrite.QuarantineUpdate update:
                        QuarantineDocs.Update(update.Payload);
                        outcomes[i] = OutboxWriteOutcome.Quarantined;
                        break;
                    case OutboxWrite.Delivered delivered:
                        deliveredCount += MarkDelivered(delivered.Seqs, deliveredNow);
                        outcomes[i] = OutboxWriteOutcome.MarkedDelivered;
                        break;
                    case OutboxWrite.Prune prune:
                        prunedCount += Prune(prune);
                        outcomes[i] = OutboxWriteOutcome.Pruned;
                        break;
                }
            }

            var newSegments = InsertSegments(committed);
            StoreDeliveryState(deliveredNow.Values);
            if (writes.All(w => w is OutboxWrite.Delivered or OutboxWrite.Prune))
            {
                // Delivery marks and pruning need no fsync of their own: lost in a power cut, the
                // punches are resent (the hub dedupes) or pruned again. The next durable commit
                // carries them to disk. A long drain still must not leave the log large.
                _db.Database.Commit();
            }
            else
            {
                _db.CommitDurably(checkpoint: false); // the committer checkpoints after the acks
            }

            lock (_gate)
            {
                foreach (var segment in newSegments)
                {
                    _pending.Add(segment.First, segment);
                }

                foreach (var segment in deliveredNow.Values.Where(s => s.IsComplete))
                {
                    _pending.Remove(segment.First);
                }

                _pendingCount += committed.Count - deliveredCount;
                _storedCount += committed.Count - prunedCount;
            }
        }
        catch
        {
            _nextSeq = seqBefore;
            _db.AbandonTransaction(); // the reopen before the next commit reloads the delivery state from disk
            throw;
        }

        foreach (var entry in committed)
        {
            _recent.Add(entry.EventId);
        }

        LastPruned = prunedCount;
        if (committed.Count > 0)
        {
            Committed?.Invoke(committed);
        }

        return outcomes;
    }

    /// <summary>Writes the group's new punches as segments of consecutive seqs; returns them, all pending.</summary>
    private List<PendingSegment> InsertSegments(List<OutboxEntry> committed)
    {
        var segments = new List<PendingSegment>();
        for (var start = 0; start < committed.Count; start += SegmentCapacity)
        {
            var part = committed.GetRange(start, Math.Min(SegmentCapacity, committed.Count - start));
            var first = part[0].Seq;
            DataDocs.Insert(new BsonDocument
            {
                ["_id"] = first,
                ["eids"] = new BsonArray(part.Select(e => new BsonValue(e.EventId))),
                ["rcv"] = new BsonArray(part.Select(e => new BsonValue(e.ReceivedAt.UtcDateTime))),
                ["json"] = new BsonArray(part.Select(e => new BsonValue(e.Json))),
            });
            StateDocs.Insert(new BsonDocument
            {
                ["_id"] = first,
                ["n"] = part.Count,
                ["pending"] = first,
                ["rcv"] = part[0].ReceivedAt.UtcDateTime,
            });
            segments.Add(new PendingSegment(first, part.Count, part[0].ReceivedAt));
        }

        return segments;
    }

    /// <summary>Marks the acked seqs in memory, collecting the segments touched; returns how many punches became delivered.</summary>
    private long MarkDelivered(IReadOnlyList<long> seqs, Dictionary<long, PendingSegment> touched)
    {
        long count = 0;
        lock (_gate)
        {
            foreach (var seq in seqs)
            {
                if (FindPending(seq) is { } segment && segment.MarkDelivered(seq))
                {
                    touched[segment.First] = segment;
                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>The pending segment holding <paramref name="seq"/>, by binary search; null when it is not pending.</summary>
    private PendingSegment? FindPending(long seq)
    {
        var keys = _pending.Keys;
        int low = 0, high = keys.Count - 1;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            var segment = _pending.Values[middle];
            if (seq < segment.First)
            {
                high = middle - 1;
            }
            else if (seq > segment.Last)
            {
                low = middle + 1;
            }
            else
            {
                return segment;
            }
        }

        return null;
    }

    /// <summary>One small state document per touched segment: its delivery map, or done with the time.</summary>
    private void StoreDeliveryState(IEnumerable<PendingSegment> touched)
    {
        var deliveredAt = _clock.GetUtcNow().UtcDateTime;
        foreach (var segment in touched)
        {
            var state = FindById(StateDocs, segment.First);
            if (state is null)
            {
                continue;
            }

            if (segment.IsComplete)
            {
                state["pending"] = BsonValue.Null;
                state["dlv"] = deliveredAt;
                state.Remove("map");
            }
            else
            {
                lock (_gate)
                {
                    state["map"] = segment.DeliveredMap();
                }
            }

            StateDocs.Update(state);
        }
    }

    /// <summary>
    /// Deletes the oldest fully delivered segments acked before the cutoff. Punches are delivered
    /// roughly in the order they came, so those are a prefix by seq: walk it and stop at the first
    /// segment still pending or recent.
    /// </summary>
    private int Prune(OutboxWrite.Prune prune)
    {
        var pruned = 0;
        while (pruned < prune.Max)
        {
            var oldest = StateDocs.Find(Query.All("_id", Query.Ascending), limit: 256).ToList();
            foreach (var state in oldest)
            {
                if (pruned >= prune.Max || !state["pending"].IsNull || state["dlv"].AsDateTime >= prune.DeliveredBefore.UtcDateTime)
                {
                    return pruned;
                }

                StateDocs.Delete(state["_id"]);
                DataDocs.Delete(state["_id"]);
                pruned += state["n"].AsInt32;
            }

            if (oldest.Count < 256)
            {
                break;
            }
        }

        return pruned;
    }

    /// <summary>
    /// A lookup by <c>_id</c> with an expression parsed once: LiteDB's <c>FindById</c> and
    /// <c>Query.EQ</c> compile a new expression tree on every call, which cost milliseconds of CPU.
    /// </summary>
    private BsonDocument? FindById(ILiteCollection<BsonDocument> collection, long id)
    {
        lock (_byId)
        {
            _byId.Parameters["0"] = id;
            return collection.FindOne(_byId);
        }
    }

    private static DateTimeOffset ToUtc(BsonValue value) =>
        new(DateTime.SpecifyKind(value.AsDateTime.ToUniversalTime(), DateTimeKind.Utc));

    public void Dispose()
    {
        _committer.Dispose();
        _db.Dispose();
    }

    /// <summary>A segment's punches as read back: the arrays of its <c>segments</c> document.</summary>
    private sealed record SegmentData(long First, string[] EventIds, DateTimeOffset[] ReceivedAt, byte[][] Json)
    {
        public static SegmentData From(BsonDocument doc) => new(
            doc["_id"].AsInt64,
            doc["eids"].AsArray.Select(v => v.AsString).ToArray(),
            doc["rcv"].AsArray.Select(ToUtc).ToArray(),
            doc["json"].AsArray.Select(v => v.AsBinary).ToArray());
    }
}

/// <summary>One write to the outbox, committed in a group with others.</summary>
public abstract record OutboxWrite
{
    private OutboxWrite()
    {
    }

    /// <summary>Punches to commit.</summary>
    public sealed record Append(IReadOnlyList<Punch> Punches) : OutboxWrite;

    /// <summary>A payload to keep in quarantine.</summary>
    public sealed record Quarantine(QuarantinedPayload Payload) : OutboxWrite;

    /// <summary>A quarantined payload rewritten after a replay.</summary>
    public sealed record QuarantineUpdate(QuarantinedPayload Payload) : OutboxWrite;

    /// <summary>Punches the hub acked.</summary>
    public sealed record Delivered(IReadOnlyList<long> Seqs) : OutboxWrite;

    /// <summary>Delete up to <paramref name="Max"/> of the oldest punches delivered before <paramref name="DeliveredBefore"/>.</summary>
    public sealed record Prune(DateTimeOffset DeliveredBefore, int Max) : OutboxWrite;
}
