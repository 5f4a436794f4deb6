using System.Threading.Channels;
using LiteDB;
using Microsoft.Extensions.Options;
using SiteHub.Hub.Configuration;
using SiteHub.Platform.Storage;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.Uplink;

namespace SiteHub.Hub.Ingest;

/// <summary>A punch the hub committed, with its position in the hub's stream (for the sinks).</summary>
public sealed record StoredPunch(long Seq, Punch Punch);

/// <summary>
/// The hub's punch store, <c>hub.db</c>. A gateway's batch is deduped by event id, stored, and
/// forced to disk in a group commit with other gateways' batches; only then does the caller get
/// the <see cref="BatchAck"/> to publish. Attendance days are built from what it commits by the
/// <see cref="AttendanceStore"/>, off this path.
/// </summary>
/// <remarks>
/// Punches are stored by the run of a commit, not one document each: LiteDB's work per document
/// (a data block and a node in each of three indexes) was most of the commit thread's time.
/// <c>punch_segments</c>: <c>_id</c> = the hub sequence of its first punch (the order the sinks
/// read in), <c>last</c> (indexed), <c>n</c>, <c>minTicks</c>/<c>maxTicks</c> (UTC ticks of the
/// earliest and latest punch, <c>maxTicks</c> indexed for time queries) and <c>p</c>, the punches
/// (each with its <c>_id</c> = sequence, <c>eid</c>, <c>atTicks</c> and its other fields).
/// <c>event_ids</c>: one small document per punch, <c>_id</c> = its event id: the dedupe, asked
/// only about the ids the in-memory <see cref="EventIdFilter"/> cannot rule out. A file written before segments
/// (one <c>punches</c> document per punch) is converted when opened (<see cref="UpgradeFromDocumentPerPunch"/>).
/// </remarks>
public sealed partial class PunchStore : IDisposable
{
    private readonly DurableLiteDatabase _db;
    private readonly GroupCommitter<IncomingBatch, BatchAck> _committer;
    private readonly BsonExpression _eventIdsIn = BsonExpression.Create("_id IN @0");
    private readonly EventIdFilter? _storedIds;
    private readonly StringComparer _eventIdComparer;
    private readonly Channel<IReadOnlyList<StoredPunch>> _toAnnounce = Channel.CreateUnbounded<IReadOnlyList<StoredPunch>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Task _announcer;
    private readonly RecentPunches _recent = new(RecentCapacity);

    private readonly ILogger<PunchStore> _logger;
    private long _nextSeq;
    private long _durableSeq;

    public PunchStore(IOptions<HubOptions> options, ILogger<PunchStore> logger)
    {
        _logger = logger;
        _db = DurableLiteDatabase.Open(Path.Combine(options.Value.DataPath, "hub.db"), collation: DurableLiteDatabase.Ordinal);
        SegmentDocs.EnsureIndex("last");
        SegmentDocs.EnsureIndex("maxTicks");
        UpgradeFromDocumentPerPunch();
        DropAttendanceKeptBeforeAttendanceStore();
        _nextSeq = LastStoredSeq() + 1;
        // Ids are equal as the file's index compares them: in a file that ignores case, D1-1 and
        // d1-1 are one id (a duplicate), not a second insert the index refuses.
        _eventIdComparer = _db.KeyComparer;
        _storedIds = _eventIdComparer == StringComparer.Ordinal ? LoadEventIdFilter() : null;
        _db.CommitDurably();
        _durableSeq = _nextSeq - 1;
        _committer = new GroupCommitter<IncomingBatch, BatchAck>("hub-punches", CommitGroup, maxGroup: 64, linger: TimeSpan.Zero, logger, afterAcks: _db.CheckpointIfLogLarge);
        _announcer = Task.Run(AnnounceCommittedAsync);
    }

    /// <summary>Most punches in one segment document (a commit's punches are cut into runs of this many).</summary>
    public const int SegmentCapacity = 1000;

    /// <summary>
    /// Punches of the latest commits kept in memory for <see cref="ReadAfter"/> (about a second of
    /// ingest at full rate: followers keep within it unless they stop).
    /// </summary>
    public const int RecentCapacity = 32_768;

    // Fetched from the current engine each time: it is replaced when the store reopens after a failed write.
    private const string SegmentCollection = "punch_segments";
    private const string EventIdCollection = "event_ids";
    private const string OldPunchCollection = "punches";

    private ILiteCollection<BsonDocument> SegmentDocs => _db.Database.GetCollection(SegmentCollection);

    private ILiteCollection<BsonDocument> EventIdDocs => _db.Database.GetCollection(EventIdCollection);

    private ILiteCollection<BsonDocument> CursorDocs => _db.Database.GetCollection("cursors");

    /// <summary>
    /// Raised after each durable commit with the punches new to the hub, in commit order, on a
    /// thread of its own: what listens (headcount, the UI's feed, the rules' queue) never delays
    /// a commit or the acks it releases.
    /// </summary>
    public event Action<IReadOnlyList<StoredPunch>>? Committed;

    /// <summary>The commit machinery, for health.</summary>
    public GroupCommitter<IncomingBatch, BatchAck> Committer => _committer;

    /// <summary>
    /// The hub sequence of the last punch committed and forced to disk. What follows the store
    /// (<see cref="ReadAfter"/>) never sees past it: a commit is visible to readers a moment
    /// before its fsync, and a follower that kept a punch a power cut then took away would
    /// count it, and skip the punch that later got its number.
    /// </summary>
    public long LastSeq => Interlocked.Read(ref _durableSeq);

    /// <summary>Stores a gateway's batch (from site <paramref name="siteId"/>); completes with the ack once it is on disk.</summary>
    public Task<BatchAck> StoreAsync(string siteId, PunchBatch batch, CancellationToken cancellationToken = default) =>
        _committer.SubmitAsync(new IncomingBatch(siteId, batch), cancellationToken);

    private BatchAck[] CommitGroup(IReadOnlyList<IncomingBatch> batches)
    {
        var acks = new BatchAck[batches.Count];
        var committed = new List<StoredPunch>();
        if (_db.BeginTransaction())
        {
            _nextSeq = LastStoredSeq() + 1; // the last commit failed and the store was reopened
        }

        var seqBefore = _nextSeq;
        try
        {
            // Validation first, then one indexed lookup for those of the group's event ids the
            // filter cannot rule out (a query per punch cost LiteDB a query plan each, and a
            // lookup of every id a fifth of the commit thread's time).
            var candidates = new List<(int Batch, Punch Punch)>();
            var rejected = new List<RejectedPunch>[batches.Count];
            for (var i = 0; i < batches.Count; i++)
            {
                var (siteId, batch) = batches[i];
                rejected[i] = [];
                foreach (var punch in batch.Punches)
                {
                    if (Validate(punch, siteId) is { } reason)
                    {
                        rejected[i].Add(new RejectedPunch(punch?.EventId ?? "", reason));
                        continue;
                    }

                    candidates.Add((i, punch!));
                }
            }

            var known = StoredEventIds(candidates.Select(c => c.Punch.EventId).Where(id => _storedIds?.MayContain(id) ?? true));
            var accepted = new int[batches.Count];
            var duplicates = new int[batches.Count];
            var documents = new List<BsonDocument>(candidates.Count);
            foreach (var (i, punch) in candidates)
            {
                if (!known.Add(punch.EventId))
                {
                    duplicates[i]++; // stored before, or earlier in this group
                    continue;
                }

                var seq = _nextSeq++;
                documents.Add(ToDocument(seq, punch));
                _storedIds?.Add(punch.EventId); // before the commit: if it fails, a superfluous id costs only a lookup
                committed.Add(new StoredPunch(seq, punch));
                accepted[i]++;
            }

            for (var i = 0; i < batches.Count; i++)
            {
                acks[i] = new BatchAck(batches[i].Batch.BatchId, accepted[i], duplicates[i], rejected[i]);
            }

            EventIdDocs.InsertBulk(documents.Select(d => new BsonDocument { ["_id"] = d["eid"] }), batchSize: Math.Max(documents.Count, 1));
            SegmentDocs.InsertBulk(documents.Chunk(SegmentCapacity).Select(ToSegment), batchSize: Math.Max(documents.Count / SegmentCapacity, 1));
            _db.CommitDurably(checkpoint: false);
            Interlocked.Exchange(ref _durableSeq, _nextSeq - 1);
        }
        catch
        {
            _nextSeq = seqBefore;
            _db.AbandonTransaction();
            throw;
        }

        if (committed.Count > 0)
        {
            _recent.Append(committed); // before the announcement that wakes the followers
            _toAnnounce.Writer.TryWrite(committed);
        }

        return acks;
    }

    private static string? Validate(Punch? punch, string siteId)
    {
        if (punch is null)
        {
            return "empty punch";
        }

        if (string.IsNullOrEmpty(punch.EventId) || punch.EventId.Length > 200)
        {
            return "eventId is required (at most 200 characters)";
        }

        if (punch.SiteId != siteId)
        {
            return $"siteId '{punch.SiteId}' is not the sending gateway's site '{siteId}'";
        }

        if (!TopicSafeId.IsValid(punch.DeviceSn))
        {
            return "deviceSn is not a valid serial";
        }

        if (string.IsNullOrEmpty(punch.PersonId) || punch.PersonId.Length > 64)
        {
            return "personId is required (at most 64 characters)";
        }

        return punch.OccurredAt == default ? "occurredAt is required" : null;
    }

    /// <summary>Punches matching the filters, oldest first.</summary>
    public IReadOnlyList<Punch> Query(string? site, string? person, DateTimeOffset? from, DateTimeOffset? to, int limit)
    {
        var low = from?.UtcTicks ?? long.MinValue;
        var high = to?.UtcTicks ?? long.MaxValue;
        return _db.Read(db =>
        {
            var found = new List<StoredPunch>();
            foreach (var segment in db.GetCollection(SegmentCollection).Find(LiteDB.Query.GTE("maxTicks", low)))
            {
                if (segment["minTicks"].AsInt64 > high)
                {
                    continue;
                }

                foreach (var item in segment["p"].AsArray)
                {
                    var doc = item.AsDocument;
                    var at = doc["atTicks"].AsInt64;
                    if (at >= low && at <= high && (site is null || doc["site"].AsString == site) && (person is null || doc["person"].AsString == person))
                    {
                        found.Add(FromDocument(doc));
                    }
                }
            }

            return found.OrderBy(p => p.Punch.OccurredAt.UtcTicks).ThenBy(p => p.Seq).Take(limit).Select(p => p.Punch).ToList();
        });
    }

    /// <summary>
    /// Punches after <paramref name="afterSeq"/> in hub order (for sinks that follow the stream):
    /// from the latest commits held in memory when they reach back that far, else from the file.
    /// </summary>
    public IReadOnlyList<StoredPunch> ReadAfter(long afterSeq, int limit) =>
        _recent.TryReadAfter(afterSeq, limit, out var recent) ? recent : ReadFileAfter(afterSeq, limit);

    private List<StoredPunch> ReadFileAfter(long afterSeq, int limit) => _db.Read(db =>
    {
        var durable = LastSeq;
        var result = new List<StoredPunch>(Math.Min(limit, 10_000));
        foreach (var segment in db.GetCollection(SegmentCollection).Find(LiteDB.Query.GT("last", afterSeq)))
        {
            foreach (var item in segment["p"].AsArray)
            {
                var seq = item["_id"].AsInt64;
                if (seq > durable)
                {
                    return result;
                }

                if (seq > afterSeq)
                {
                    result.Add(FromDocument(item.AsDocument));
                    if (result.Count == limit)
                    {
                        return result;
                    }
                }
            }
        }

        return result;
    });

    /// <summary>Punches that occurred after <paramref name="since"/> (to rebuild live state at start-up).</summary>
    public IEnumerable<Punch> OccurredSince(DateTimeOffset since)
    {
        var after = since.UtcTicks;
        return SegmentDocs.Find(LiteDB.Query.GT("maxTicks", after))
            .SelectMany(segment => segment["p"].AsArray)
            .Where(item => item["atTicks"].AsInt64 > after)
            .Select(item => FromDocument(item.AsDocument).Punch);
    }

    /// <summary>Total punches stored.</summary>
    public long Count => _db.Read(db => db.GetCollection(EventIdCollection).LongCount());

    /// <summary>A sink's persisted position in the stream.</summary>
    public long GetCursor(string sink) => _db.Read(db => db.GetCollection("cursors").FindById(sink)?["seq"].AsInt64 ?? 0);

    /// <summary>Moves a sink's position; not forced to disk (a sink that repeats itself after a crash is idempotent).</summary>
    public void SetCursor(string sink, long seq) => CursorDocs.Upsert(new BsonDocument { ["_id"] = sink, ["seq"] = seq });

    /// <summary>
    /// Which of <paramref name="eventIds"/> are stored already, in one indexed query. The
    /// expression is parsed once and only its parameter changes: LiteDB's <c>Query.EQ</c>/<c>Query.In</c>
    /// compile a new expression tree on every call.
    /// </summary>
    private HashSet<string> StoredEventIds(IEnumerable<string> eventIds)
    {
        var ids = new BsonArray(eventIds.Select(id => new BsonValue(id)));
        if (ids.Count == 0)
        {
            return new HashSet<string>(_eventIdComparer); // the usual case: the filter ruled every id out
        }

        _eventIdsIn.Parameters["0"] = ids;
        return EventIdDocs.Find(_eventIdsIn).Select(doc => doc["_id"].AsString).ToHashSet(_eventIdComparer);
    }

    /// <summary>
    /// The filter of every stored event id, sized for twice what is stored (one filter, not a
    /// chain of doubling ones). Only for an ordinal file: one that ignores case takes <c>D1-1</c>
    /// and <c>d1-1</c> for one id, which a filter of the exact text cannot, so there every id is
    /// looked up in the index.
    /// </summary>
    private EventIdFilter LoadEventIdFilter()
    {
        var filter = new EventIdFilter((int)Math.Clamp(2 * (_nextSeq - 1), 1 << 20, 1 << 30));
        foreach (var doc in EventIdDocs.FindAll())
        {
            filter.Add(doc["_id"].AsString);
        }

        return filter;
    }

    private long LastStoredSeq() =>
        SegmentDocs.Find(LiteDB.Query.All("last", LiteDB.Query.Descending), limit: 1).FirstOrDefault()?["last"].AsInt64 ?? 0;

    private static BsonDocument ToSegment(BsonDocument[] punches)
    {
        var ticks = punches.Select(p => p["atTicks"].AsInt64).ToList();
        return new BsonDocument
        {
            ["_id"] = punches[0]["_id"],
            ["last"] = punches[^1]["_id"],
            ["n"] = punches.Length,
            ["minTicks"] = ticks.Min(),
            ["maxTicks"] = ticks.Max(),
            ["p"] = new BsonArray(punches),
        };
    }

    /// <summary>
    /// Converts a <c>hub.db</c> written before segments — one <c>punches</c> document per punch —
    /// in one transaction that also empties the old collection, so a crash leaves either layout whole.
    /// </summary>
    private void UpgradeFromDocumentPerPunch()
    {
        var database = _db.Database;
        if (!database.CollectionExists(OldPunchCollection))
        {
            return;
        }

        database.BeginTrans();
        var old = database.GetCollection(OldPunchCollection);
        var run = new List<BsonDocument>(SegmentCapacity);
        foreach (var doc in old.Find(LiteDB.Query.All("_id", LiteDB.Query.Ascending)))
        {
            doc.Remove("at"); // the segment's punches carry atTicks only
            run.Add(doc);
            if (run.Count == SegmentCapacity)
            {
                WriteUpgraded(run);
            }
        }

        WriteUpgraded(run);
        old.DeleteAll();
        database.Commit();

        // LiteDB cannot drop a collection inside a transaction; emptied in the same one as the
        // segments were written, it holds nothing to lose if the process stops before the drop.
        database.DropCollection(OldPunchCollection);
    }

    /// <summary>
    /// Before the <see cref="AttendanceStore"/>, <c>hub.db</c> kept the attendance days itself,
    /// updated in each commit. They are derived from the punches, which the attendance store
    /// reads from the start when its file is new, so the old copy is only dropped.
    /// </summary>
    private void DropAttendanceKeptBeforeAttendanceStore()
    {
        if (_db.Database.CollectionExists("attendance"))
        {
            _db.Database.DropCollection("attendance");
        }
    }

    private void WriteUpgraded(List<BsonDocument> run)
    {
        if (run.Count == 0)
        {
            return;
        }

        EventIdDocs.InsertBulk(run.Select(d => new BsonDocument { ["_id"] = d["eid"] }));
        SegmentDocs.Insert(ToSegment([.. run]));
        run.Clear();
    }

    private static BsonDocument ToDocument(long seq, Punch punch)
    {
        var doc = new BsonDocument
        {
            ["_id"] = seq,
            ["eid"] = punch.EventId,
            ["site"] = punch.SiteId,
            ["dev"] = punch.DeviceSn,
            ["person"] = punch.PersonId,
            ["dir"] = (int)punch.Direction,
            ["atTicks"] = punch.OccurredAt.UtcTicks,
            ["off"] = (int)punch.OccurredAt.Offset.TotalMinutes,
            ["rcv"] = punch.ReceivedAt.UtcTicks,
            ["mode"] = (int)punch.VerifyMode,
            ["proto"] = punch.Protocol,
        };
        if (punch.GateId is not null)
        {
            doc["gate"] = punch.GateId;
        }

        if (punch.Temperature is { } temp)
        {
            doc["temp"] = temp;
        }

        if (punch.Liveness is { } liveness)
        {
            doc["live"] = liveness;
        }

        return doc;
    }

    private static StoredPunch FromDocument(BsonDocument doc)
    {
        var offset = TimeSpan.FromMinutes(doc["off"].AsInt32);
        var occurred = new DateTimeOffset(doc["atTicks"].AsInt64, TimeSpan.Zero).ToOffset(offset);
        return new StoredPunch(doc["_id"].AsInt64, new Punch(
            doc["eid"].AsString,
            doc["site"].AsString,
            doc["dev"].AsString,
            doc["gate"].IsNull ? null : doc["gate"].AsString,
            (Direction)doc["dir"].AsInt32,
            doc["person"].AsString,
            occurred,
            new DateTimeOffset(doc["rcv"].AsInt64, TimeSpan.Zero),
            (VerifyMode)doc["mode"].AsInt32,
            doc["temp"].IsNull ? null : doc["temp"].AsDouble,
            doc["live"].IsNull ? null : doc["live"].AsDouble,
            doc["proto"].AsString));
    }

    private async Task AnnounceCommittedAsync()
    {
        await foreach (var committed in _toAnnounce.Reader.ReadAllAsync())
        {
            try
            {
                Committed?.Invoke(committed);
            }
            catch (Exception ex)
            {
                LogListenerFailed(ex, committed.Count);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A listener of the punch store failed on {Count} committed punches (they are stored; what the listener keeps may lag until the hub restarts)")]
    private partial void LogListenerFailed(Exception exception, int count);

    public void Dispose()
    {
        _committer.Dispose();
        _toAnnounce.Writer.TryComplete();
        _announcer.Wait(TimeSpan.FromSeconds(10));
        _db.Dispose();
    }
}

/// <summary>A batch from a gateway, with the site its topic (and login) proved.</summary>
public sealed record IncomingBatch(string SiteId, PunchBatch Batch);
