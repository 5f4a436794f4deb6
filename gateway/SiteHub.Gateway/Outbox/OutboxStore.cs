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
/// Document layout of <c>punches</c>: <c>_id</c> = seq (long), <c>eid</c> = event id (unique index:
/// a resent record is recognised and not stored twice), <c>pending</c> = seq while unacked and
/// null once delivered (indexed: the backlog is an index range), <c>rcv</c>, <c>json</c>.
/// </remarks>
public sealed class OutboxStore : IDisposable
{
    private readonly DurableLiteDatabase _db;
    private readonly GroupCommitter<OutboxWrite, OutboxWriteOutcome> _committer;
    private readonly TimeProvider _clock;
    private readonly BsonExpression _byEventId = BsonExpression.Create("eid = @0");
    private readonly BsonExpression _bySeq = BsonExpression.Create("_id = @0");
    private long _nextSeq;
    private long _pendingCount;

    public OutboxStore(string dataPath, TimeProvider clock, ILogger<OutboxStore> logger)
    {
        _clock = clock;
        _db = DurableLiteDatabase.Open(Path.Combine(dataPath, "outbox.db"));
        PunchDocs.EnsureIndex("eid", unique: true);
        PunchDocs.EnsureIndex("pending");
        LoadCounters();
        _db.CommitDurably();
        _committer = new GroupCommitter<OutboxWrite, OutboxWriteOutcome>("outbox", CommitGroup, maxGroup: 2000, linger: TimeSpan.Zero, logger);
    }

    // Fetched from the current engine each time: it is replaced when the store reopens after a failed write.
    private ILiteCollection<BsonDocument> PunchDocs => _db.Database.GetCollection("punches");

    private ILiteCollection<QuarantinedPayload> QuarantineDocs => _db.Database.GetCollection<QuarantinedPayload>("quarantine");

    private void LoadCounters()
    {
        _nextSeq = PunchDocs.MaxInt64Id() + 1;
        Interlocked.Exchange(ref _pendingCount, PunchDocs.Count(Query.GT("pending", 0L)));
    }

    /// <summary>Raised on the writer thread with the punches of each durable commit, for the live uplink path.</summary>
    public event Action<IReadOnlyList<OutboxEntry>>? Committed;

    /// <summary>The commit machinery (health and metrics).</summary>
    public GroupCommitter<OutboxWrite, OutboxWriteOutcome> Committer => _committer;

    /// <summary>Punches not yet acked by the hub.</summary>
    public long PendingCount => Interlocked.Read(ref _pendingCount);

    /// <summary>Commits punches; completes once they are on disk. Punches already in the outbox are not stored again.</summary>
    public Task<OutboxWriteOutcome> AppendAsync(IReadOnlyList<Punch> punches, CancellationToken cancellationToken = default) =>
        _committer.SubmitAsync(new OutboxWrite.Append(punches), cancellationToken);

    /// <summary>Keeps an undecodable payload with the reason; completes once it is on disk.</summary>
    public Task<OutboxWriteOutcome> QuarantineAsync(QuarantinedPayload payload, CancellationToken cancellationToken = default) =>
        _committer.SubmitAsync(new OutboxWrite.Quarantine(payload), cancellationToken);

    /// <summary>Punches deleted by the last commit that pruned.</summary>
    public int LastPruned { get; private set; }

    /// <summary>Deletes up to <paramref name="max"/> of the oldest punches the hub acked before <paramref name="deliveredBefore"/>; returns how many.</summary>
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
        var result = new List<OutboxEntry>(limit);
        foreach (var doc in PunchDocs.Find(Query.GT("pending", afterSeq)))
        {
            var entry = ToEntry(doc);
            if (skip.Contains(entry.Seq))
            {
                continue;
            }

            result.Add(entry);
            if (result.Count == limit)
            {
                break;
            }
        }

        return result;
    }

    /// <summary>When the oldest pending punch was received; null when nothing is pending.</summary>
    public DateTimeOffset? OldestPendingAt()
    {
        var oldest = PunchDocs.Find(Query.GT("pending", 0L), limit: 1).FirstOrDefault();
        return oldest is null ? null : ToEntry(oldest).ReceivedAt;
    }

    /// <summary>Counts for the API (delivered and quarantined are counted on disk: not for hot paths).</summary>
    public OutboxCounts Counts()
    {
        var pending = PunchDocs.LongCount(Query.GT("pending", 0L));
        return new OutboxCounts(pending, PunchDocs.LongCount() - pending, QuarantineDocs.LongCount(), OldestPendingAt());
    }

    /// <summary>The quarantined payloads, newest first.</summary>
    public IReadOnlyList<QuarantinedPayload> Quarantined(int limit) =>
        QuarantineDocs.Query().OrderByDescending(q => q.At).Limit(limit).ToList();

    /// <summary>One quarantined payload by id; null when there is none.</summary>
    public QuarantinedPayload? FindQuarantined(ObjectId id) => QuarantineDocs.FindById(id);

    /// <summary>Rewrites a quarantined payload (after a replay); completes once it is on disk.</summary>
    public Task<OutboxWriteOutcome> UpdateQuarantinedAsync(QuarantinedPayload payload, CancellationToken cancellationToken = default) =>
        _committer.SubmitAsync(new OutboxWrite.QuarantineUpdate(payload), cancellationToken);

    /// <summary>Reads a punch back by event id (tests, the UI).</summary>
    public Punch? FindPunch(string eventId)
    {
        var doc = PunchDocs.FindOne(Query.EQ("eid", eventId));
        return doc is null ? null : JsonSerializer.Deserialize(doc["json"].AsBinary, ProtocolsJsonContext.Default.Punch);
    }

    private OutboxWriteOutcome[] CommitGroup(IReadOnlyList<OutboxWrite> writes)
    {
        var outcomes = new OutboxWriteOutcome[writes.Count];
        var committed = new List<OutboxEntry>();
        if (_db.BeginTransaction())
        {
            LoadCounters(); // the last commit failed and the store was reopened
        }

        var seqBefore = _nextSeq;
        long pendingDelta = 0;
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
                            if (ContainsEvent(punch.EventId))
                            {
                                continue;
                            }

                            var entry = new OutboxEntry(_nextSeq++, punch.EventId, punch.ReceivedAt,
                                JsonSerializer.SerializeToUtf8Bytes(punch, ProtocolsJsonContext.Default.Punch));
                            PunchDocs.Insert(ToDocument(entry));
                            committed.Add(entry);
                            added++;
                        }

                        pendingDelta += added;
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
                        var deliveredAt = _clock.GetUtcNow().UtcDateTime;
                        foreach (var seq in delivered.Seqs)
                        {
                            _bySeq.Parameters["0"] = seq;
                            var doc = PunchDocs.FindOne(_bySeq);
                            if (doc is not null && !doc["pending"].IsNull)
                            {
                                doc["pending"] = BsonValue.Null;
                                doc["dlv"] = deliveredAt;
                                PunchDocs.Update(doc);
                                pendingDelta--;
                            }
                        }

                        outcomes[i] = OutboxWriteOutcome.MarkedDelivered;
                        break;
                    case OutboxWrite.Prune prune:
                        // Punches are delivered roughly in the order they came, so the old delivered ones
                        // are a prefix by seq: walk it and stop at the first one still pending or recent.
                        foreach (var doc in PunchDocs.Find(Query.All("_id", Query.Ascending), limit: prune.Max).ToList())
                        {
                            if (!doc["pending"].IsNull || doc["dlv"].AsDateTime >= prune.DeliveredBefore.UtcDateTime)
                            {
                                break;
                            }

                            PunchDocs.Delete(doc["_id"]);
                            prunedCount++;
                        }

                        outcomes[i] = OutboxWriteOutcome.Pruned;
                        break;
                }
            }

            if (writes.All(w => w is OutboxWrite.Delivered or OutboxWrite.Prune))
            {
                // Delivery marks and pruning need no fsync of their own: lost in a power cut, the
                // punches are resent (the hub dedupes) or pruned again. The next durable commit
                // carries them to disk. A long drain still must not leave the log large.
                _db.Database.Commit();
                _db.CheckpointIfLogLarge();
            }
            else
            {
                _db.CommitDurably();
            }
        }
        catch
        {
            _nextSeq = seqBefore;
            _db.AbandonTransaction();
            throw;
        }

        Interlocked.Add(ref _pendingCount, pendingDelta);
        LastPruned = prunedCount;
        if (committed.Count > 0)
        {
            Committed?.Invoke(committed);
        }

        return outcomes;
    }

    /// <summary>
    /// Dedupe lookup on the writer thread. The expression is parsed once and only its parameter
    /// changes: LiteDB's <c>Query.EQ</c> and <c>FindById</c> compile a new expression tree on every
    /// call, which cost milliseconds of CPU per punch (the same for <c>_bySeq</c>).
    /// </summary>
    private bool ContainsEvent(string eventId)
    {
        _byEventId.Parameters["0"] = eventId;
        return PunchDocs.Exists(_byEventId);
    }

    private static BsonDocument ToDocument(OutboxEntry entry) => new()
    {
        ["_id"] = entry.Seq,
        ["eid"] = entry.EventId,
        ["pending"] = entry.Seq,
        ["rcv"] = entry.ReceivedAt.UtcDateTime,
        ["json"] = entry.Json,
    };

    private static OutboxEntry ToEntry(BsonDocument doc) => new(
        doc["_id"].AsInt64,
        doc["eid"].AsString,
        new DateTimeOffset(DateTime.SpecifyKind(doc["rcv"].AsDateTime.ToUniversalTime(), DateTimeKind.Utc)),
        doc["json"].AsBinary);

    public void Dispose()
    {
        _committer.Dispose();
        _db.Dispose();
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
