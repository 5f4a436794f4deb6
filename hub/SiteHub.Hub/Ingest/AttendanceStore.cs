using LiteDB;
using Microsoft.Extensions.Options;
using SiteHub.Hub.Configuration;
using SiteHub.Platform.Storage;
using SiteHub.Protocols.Punches;

namespace SiteHub.Hub.Ingest;

/// <summary>One day of one person at one site: what attendance is built from.</summary>
public sealed record AttendanceDay
{
    [BsonId] public string Id { get; init; } = "";
    public string SiteId { get; init; } = "";
    public string PersonId { get; init; } = "";
    public DateTime Date { get; init; }
    public DateTimeOffset? FirstIn { get; init; }
    public DateTimeOffset? LastOut { get; init; }
    public DateTimeOffset FirstSeen { get; init; }
    public DateTimeOffset LastSeen { get; init; }
    public int Punches { get; init; }

    // Date first: a day's new documents are then inserted together at the end of the index, not
    // each at its person's place across it (fewer pages touched per commit).
    public static string KeyOf(string siteId, string personId, DateOnly date) => $"{date:yyyy-MM-dd}|{siteId}|{personId}";

    /// <summary>The day of one punch, on its own (<paramref name="date"/> is the punch's date in the hub's time zone).</summary>
    public static AttendanceDay Of(Punch punch, DateOnly date) => new()
    {
        Id = KeyOf(punch.SiteId, punch.PersonId, date),
        SiteId = punch.SiteId,
        PersonId = punch.PersonId,
        Date = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
        FirstSeen = punch.OccurredAt,
        LastSeen = punch.OccurredAt,
        FirstIn = punch.Direction == Direction.In ? punch.OccurredAt : null,
        LastOut = punch.Direction == Direction.Out ? punch.OccurredAt : null,
        Punches = 1,
    };

    /// <summary>This day and <paramref name="other"/> (the same person, site and date) together.</summary>
    public AttendanceDay Merge(AttendanceDay other) => this with
    {
        FirstSeen = other.FirstSeen < FirstSeen ? other.FirstSeen : FirstSeen,
        LastSeen = other.LastSeen > LastSeen ? other.LastSeen : LastSeen,
        FirstIn = FirstIn is null || (other.FirstIn is { } otherIn && otherIn < FirstIn) ? other.FirstIn : FirstIn,
        LastOut = LastOut is null || (other.LastOut is { } otherOut && otherOut > LastOut) ? other.LastOut : LastOut,
        Punches = Punches + other.Punches,
    };
}

/// <summary>How far the attendance store has followed the punch store.</summary>
public sealed record AttendanceState(long AppliedSeq, long Lag, string? LastError);

/// <summary>
/// The attendance store, <c>attendance.db</c>: one document per person, site and day (in the
/// hub's time zone), built from the punches the hub committed. It follows the punch store by
/// sequence, like the InfluxDB sink, and stores its position in the same transaction as the days
/// it changed, so after a crash it goes on from exactly there: no punch is counted twice or
/// missed. Deleting the file rebuilds it from every stored punch.
/// </summary>
/// <remarks>
/// Kept off the commit that acks a gateway's batch on purpose: the punches are the durable
/// record (fsync'd before the ack) and a day is a function of them, while updating a day per
/// punch inside that commit was a fifth of the commit thread's time — the bound of the hub's
/// ingest rate. A failed write is logged and retried with a doubling delay up to 30 s; the days
/// then lag behind the punches, and catch up, like the sinks.
/// </remarks>
public sealed partial class AttendanceStore : BackgroundService
{
    private const string CursorId = "punches";
    // Up to this many punches per commit: when the store falls behind, it takes more at once, and
    // a person's punches in one commit update their day once.
    private const int PunchesPerCommit = 50_000;

    // How long newly committed punches wait for others before the store applies them: the days
    // lag the punches by up to this (plus a commit) in exchange for fewer, larger commits.
    private static readonly TimeSpan GatherFor = TimeSpan.FromMilliseconds(500);

    private readonly PunchStore _punches;
    private readonly DurableLiteDatabase _db;
    private readonly TimeZoneInfo _zone;
    private readonly ILogger<AttendanceStore> _logger;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly BsonExpression _daysIn = BsonExpression.Create("_id IN @0");
    private readonly Lock _writing = new();

    // The days written lately, as stored: most punches land on a day already stored (a worker's
    // second punch of the day), and reading it back cost a document load per punch. Filled after
    // a commit succeeds and emptied when one fails, so it holds nothing the file does not.
    private readonly Dictionary<string, AttendanceDay> _recentDays = new(StringComparer.Ordinal);

    // Dates (key prefixes) that had no day stored when first met: every day of theirs since went
    // through the cache above, so one missing from it is new, with no lookup (a lookup of a new
    // day walked the index for nothing, and on a new date nearly every day is new). Dates met
    // with days already stored (the hub restarted that day) are looked up as before. Emptied
    // with the cache.
    private readonly Dictionary<string, bool> _datesAllCached = new(StringComparer.Ordinal);
    private const int RecentDaysLimit = 500_000;
    private readonly Action<IReadOnlyList<StoredPunch>> _onCommitted;
    private long _appliedSeq;
    private string? _lastError;

    public AttendanceStore(PunchStore punches, IOptions<HubOptions> options, ILogger<AttendanceStore> logger)
    {
        _punches = punches;
        _logger = logger;
        _zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone);
        _db = DurableLiteDatabase.Open(Path.Combine(options.Value.DataPath, "attendance.db"), collation: DurableLiteDatabase.Ordinal);
        _appliedSeq = _db.Database.GetCollection("cursors").FindById(CursorId)?["seq"].AsInt64 ?? 0;
        if (_appliedSeq > punches.LastSeq)
        {
            // Ahead of the punches (hub.db restored from a backup, or replaced): what it counted
            // is not what is stored, so it starts again from the first punch.
            LogAheadOfPunches(_appliedSeq, punches.LastSeq);
            _db.Database.DropCollection("days");
            _db.Database.GetCollection("cursors").Delete(CursorId);
            _db.CommitDurably();
            _appliedSeq = 0;
        }

        Days.EnsureIndex(d => d.PersonId);
        _onCommitted = _ => Wake();
        punches.Committed += _onCommitted;
    }

    private ILiteCollection<AttendanceDay> Days => _db.Database.GetCollection<AttendanceDay>("days");

    /// <summary>The store's position in the punch stream and how far behind it is.</summary>
    public AttendanceState State
    {
        get
        {
            var applied = Interlocked.Read(ref _appliedSeq);
            return new AttendanceState(applied, Math.Max(0, _punches.LastSeq - applied), Volatile.Read(ref _lastError));
        }
    }

    /// <summary>The attendance days of a person (any site), oldest first, as far as the store has followed the punches.</summary>
    public IReadOnlyList<AttendanceDay> AttendanceOf(string personId) =>
        _db.Read(db => db.GetCollection<AttendanceDay>("days").Find(d => d.PersonId == personId).OrderBy(d => d.Date).ToList());

    /// <summary>Applies every punch committed so far, or until <paramref name="cancellationToken"/> (the background loop does this on each commit; tests call it directly).</summary>
    public void CatchUp(CancellationToken cancellationToken = default)
    {
        while (!cancellationToken.IsCancellationRequested && ApplyNext())
        {
        }
    }

    // A thread of its own: applying a batch is synchronous LiteDB work of tens of milliseconds,
    // which on the thread pool of a two-core machine held up the MQTT ingest and acks around it.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Follow(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Follow(CancellationToken stoppingToken)
    {
        Thread.CurrentThread.Name = "attendance"; // for profiles and the hub-ingest benchmark
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                CatchUp(stoppingToken);
                if (Volatile.Read(ref _lastError) is not null)
                {
                    LogRecovered(Interlocked.Read(ref _appliedSeq));
                    Volatile.Write(ref _lastError, null);
                    delay = TimeSpan.FromMilliseconds(200);
                }

                _wake.Wait(TimeSpan.FromSeconds(1), stoppingToken);

                // Let the punch store's next few commits gather: a day is then written once for
                // several of its punches, and the file forced to disk once for all of them.
                stoppingToken.WaitHandle.WaitOne(GatherFor);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Volatile.Write(ref _lastError, ex.Message);
                LogApplyFailed(ex, State.Lag);
                stoppingToken.WaitHandle.WaitOne(delay + TimeSpan.FromMilliseconds(Random.Shared.Next(100)));
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    private bool ApplyNext()
    {
        lock (_writing) // the background loop, and a test's CatchUp, never write at once
        {
            var after = Interlocked.Read(ref _appliedSeq);
            var punches = _punches.ReadAfter(after, PunchesPerCommit);
            if (punches.Count == 0)
            {
                return false;
            }

            var days = new Dictionary<string, AttendanceDay>(StringComparer.Ordinal);
            foreach (var stored in punches)
            {
                var punch = stored.Punch;
                var day = AttendanceDay.Of(punch, DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(punch.OccurredAt, _zone).DateTime));
                days[day.Id] = days.TryGetValue(day.Id, out var earlier) ? earlier.Merge(day) : day;
            }

            if (_db.BeginTransaction())
            {
                ForgetDays(); // the last write failed and the file was reopened
            }

            try
            {
                // Known days updated, new ones inserted: an upsert of a new day walked the index
                // twice (a failed update, then the insert) after the lookup had already missed.
                var stored = StoredDays(days.Keys);
                var merged = new List<AttendanceDay>(days.Count);
                var added = new List<AttendanceDay>();
                foreach (var day in days.Values)
                {
                    if (stored.TryGetValue(day.Id, out var before))
                    {
                        merged.Add(before.Merge(day));
                    }
                    else
                    {
                        added.Add(day);
                    }
                }

                if (Days.Update(merged) != merged.Count)
                {
                    // Never expected (the days came from the file or from what was committed to
                    // it); failing the commit keeps a day from being silently left behind.
                    throw new InvalidOperationException("An attendance day read as stored was not found to update");
                }

                Days.InsertBulk(added, batchSize: Math.Max(added.Count, 1));
                merged.AddRange(added);
                _db.Database.GetCollection("cursors").Upsert(new BsonDocument { ["_id"] = CursorId, ["seq"] = punches[^1].Seq });
                _db.CommitDurably();
                RememberDays(merged);
            }
            catch
            {
                ForgetDays();
                _db.AbandonTransaction();
                throw;
            }

            Interlocked.Exchange(ref _appliedSeq, punches[^1].Seq);
            return true;
        }
    }

    /// <summary>The stored days among <paramref name="keys"/>: those written lately from memory, the rest in one indexed query.</summary>
    private Dictionary<string, AttendanceDay> StoredDays(IEnumerable<string> keys)
    {
        var found = new Dictionary<string, AttendanceDay>(StringComparer.Ordinal);
        var unknown = new BsonArray();
        foreach (var key in keys)
        {
            if (_recentDays.TryGetValue(key, out var day))
            {
                found[key] = day;
            }
            else if (!AllCached(key[..(key.IndexOf('|', StringComparison.Ordinal) + 1)]))
            {
                unknown.Add(new BsonValue(key));
            }
        }

        if (unknown.Count > 0)
        {
            _daysIn.Parameters["0"] = unknown;
            foreach (var day in Days.Find(_daysIn))
            {
                found[day.Id] = day;
            }
        }

        return found;
    }

    /// <summary>Whether every stored day of the date <paramref name="datePrefix"/> (<c>yyyy-MM-dd|</c>) is in the cache.</summary>
    private bool AllCached(string datePrefix)
    {
        if (!_datesAllCached.TryGetValue(datePrefix, out var all))
        {
            all = !Days.Exists(Query.StartsWith("_id", datePrefix)); // one index seek, once per date
            _datesAllCached[datePrefix] = all;
        }

        return all;
    }

    private void ForgetDays()
    {
        _recentDays.Clear();
        _datesAllCached.Clear();
    }

    private void RememberDays(List<AttendanceDay> committed)
    {
        if (_recentDays.Count + committed.Count > RecentDaysLimit)
        {
            ForgetDays(); // simple and rare: a day's workers fill it again within a few punches each
        }

        foreach (var day in committed)
        {
            _recentDays[day.Id] = day;
        }
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    public override void Dispose()
    {
        _punches.Committed -= _onCommitted;
        base.Dispose(); // cancels the loop; it stops between two commits
        ExecuteTask?.Wait(TimeSpan.FromSeconds(30));
        lock (_writing)
        {
            _db.Dispose();
        }

        _wake.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Updating attendance days failed; the punches are stored and {Lag} wait for the attendance store, which retries")]
    private partial void LogApplyFailed(Exception exception, long lag);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The attendance store had followed the punches to {Applied}, past the last stored punch {Stored}: rebuilding it from the first punch")]
    private partial void LogAheadOfPunches(long applied, long stored);

    [LoggerMessage(Level = LogLevel.Information, Message = "Attendance days up to date again at punch {Seq}")]
    private partial void LogRecovered(long seq);
}
