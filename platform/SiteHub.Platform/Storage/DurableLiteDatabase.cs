using LiteDB;

namespace SiteHub.Platform.Storage;

/// <summary>
/// A LiteDB database whose commits are forced to disk. LiteDB's own checkpoint (copying the log
/// into the data file) is switched off and run here instead, between syncs, so that no page is
/// ever only in the page cache when the log that held it is truncated.
/// </summary>
public sealed class DurableLiteDatabase : IDisposable
{
    /// <summary>
    /// Checkpoint once the log has grown past this (bytes). LiteDB's checkpoint copies every page
    /// version in the log and holds the engine meanwhile, so its pause grows with the log: a
    /// smaller log means more, shorter pauses for the same work (16 MiB paused commits for
    /// hundreds of milliseconds on this machine).
    /// </summary>
    public const long CheckpointLogBytes = 4 * 1024 * 1024;

    private readonly BsonMapper _mapper;
    private readonly ConnectionString _connection;
    private readonly ReaderWriterLockSlim _engineSwap = new();
    private bool _broken;

    private DurableLiteDatabase(LiteDatabase database, ConnectionString connection, BsonMapper mapper)
    {
        _mapper = mapper;
        _connection = connection;
        Database = database;
        var dataFile = Path.GetFullPath(connection.Filename);
        DataFile = dataFile;
        LogFile = Path.Combine(
            Path.GetDirectoryName(dataFile)!,
            Path.GetFileNameWithoutExtension(dataFile) + "-log" + Path.GetExtension(dataFile));
    }

    /// <summary>The LiteDB database. Write only from the thread that calls <see cref="CommitDurably"/>.</summary>
    public LiteDatabase Database { get; private set; }

    /// <summary>
    /// How this file's indexes compare strings, for sets of keys read from it: as its collation says
    /// (see <see cref="Open"/>); a file created without one compares with its culture, ignoring
    /// case, so there <c>D1-1</c> and <c>d1-1</c> are one key.
    /// </summary>
    public StringComparer KeyComparer
    {
        get
        {
            var collation = new Collation(Database.Pragma("COLLATION").AsString);
            return collation.SortOptions switch
            {
                System.Globalization.CompareOptions.Ordinal => StringComparer.Ordinal,
                System.Globalization.CompareOptions.OrdinalIgnoreCase => StringComparer.OrdinalIgnoreCase,
                _ => StringComparer.Create(collation.Culture, collation.SortOptions),
            };
        }
    }

    /// <summary>Byte-wise, case-sensitive string keys (the invariant culture's LCID with <see cref="System.Globalization.CompareOptions.Ordinal"/>).</summary>
    public static Collation Ordinal { get; } = new(System.Globalization.CultureInfo.InvariantCulture.LCID, System.Globalization.CompareOptions.Ordinal);

    /// <summary>The data file path.</summary>
    public string DataFile { get; }

    /// <summary>LiteDB's write-ahead log beside the data file (<c>name-log.db</c>).</summary>
    public string LogFile { get; }

    /// <summary>Opens (or creates) the database at <paramref name="dataFile"/>, creating its folder.</summary>
    /// <param name="dataFile">The data file.</param>
    /// <param name="mapper">The object mapper; default <see cref="CreateMapper"/>.</param>
    /// <param name="collation">
    /// How a new file compares string keys, instead of LiteDB's default, the current culture
    /// ignoring case, which goes through ICU on every key compared in an index: e.g.
    /// <see cref="Ordinal"/> (byte-wise, case-sensitive) or <see cref="CaseInsensitiveKeys.Collation"/>.
    /// An existing file keeps the comparison it was created with.
    /// </param>
    public static DurableLiteDatabase Open(string dataFile, BsonMapper? mapper = null, Collation? collation = null)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(dataFile))!;
        Directory.CreateDirectory(folder);
        mapper ??= CreateMapper();
        var connection = new ConnectionString { Filename = dataFile, Connection = ConnectionType.Direct };
        // LiteDB refuses to open a file created with another collation than the one asked for,
        // so only a new file is asked for ordinal; an existing one opens with its own.
        if (collation is not null && !(File.Exists(dataFile) && new FileInfo(dataFile).Length > 0))
        {
            connection.Collation = collation;
        }

        var database = OpenEngine(connection, mapper);
        try
        {
            var durable = new DurableLiteDatabase(database, connection, mapper);
            DiskSync.File(durable.DataFile);
            DiskSync.Directory(folder);
            return durable;
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Bounds LiteDB's page cache in every database of this process, open or opened later.
    /// LiteDB 5 keeps each page it reads or writes (8 KiB) in a cache per file that grows in
    /// segments of 12, 50, 100, 500 and then 1,000 pages, and reuses cached pages only once more
    /// than the next segment's worth sit idle; so a busy file (a log that grows towards
    /// <see cref="CheckpointLogBytes"/> between checkpoints) ends up holding 1,662 pages, 13 MiB,
    /// never given back. With every segment at most <paramref name="maxSegmentPages"/>, the cache
    /// starts reusing its least recently used pages once that many are idle; a transaction that
    /// needs more still gets more, so this costs re-reads (from the OS page cache), never a failure.
    /// LiteDB 5 has no setting for it: the sizes are the internal array
    /// <c>LiteDB.Constants.MEMORY_SEGMENT_SIZES</c>, changed in place here. Returns false, and
    /// changes nothing, when this LiteDB has no such array (a caller's test notices an upgrade).
    /// </summary>
    public static bool LimitPageCache(int maxSegmentPages)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSegmentPages, 1);
        const System.Reflection.BindingFlags Statics = System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static;
        if (typeof(LiteDatabase).Assembly.GetType("LiteDB.Constants")?.GetField("MEMORY_SEGMENT_SIZES", Statics)?.GetValue(null) is not int[] segments)
        {
            return false;
        }

        for (var i = 0; i < segments.Length; i++)
        {
            segments[i] = Math.Min(segments[i], maxSegmentPages);
        }

        return true;
    }

    /// <summary>Pages LiteDB's cache holds for this database now (see <see cref="LimitPageCache"/>); null when its engine's layout is not the one known.</summary>
    public int? CachedPages()
    {
        const System.Reflection.BindingFlags Fields = System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance;
        var engine = typeof(LiteDatabase).GetFields(Fields).Select(f => f.GetValue(Database)).FirstOrDefault(v => v?.GetType().Name == "LiteEngine");
        var disk = engine?.GetType().GetFields(Fields).Select(f => f.GetValue(engine)).FirstOrDefault(v => v?.GetType().Name == "DiskService");
        var cache = disk?.GetType().GetFields(Fields).Select(f => f.GetValue(disk)).FirstOrDefault(v => v?.GetType().Name == "MemoryCache");
        return cache?.GetType().GetProperty("ExtendPages")?.GetValue(cache) as int?;
    }

    private static LiteDatabase OpenEngine(ConnectionString connection, BsonMapper mapper)
    {
        var database = new LiteDatabase(connection, mapper);
        database.CheckpointSize = 0;
        return database;
    }

    /// <summary>
    /// Closes and reopens the files. After a failed write (disk full, I/O error) LiteDB's engine
    /// can stay unusable ("discarded page must be writable") even once the disk has space again;
    /// reopening replays the log, which holds only whole committed transactions, and starts clean.
    /// Call it from the writing thread, with no transaction open.
    /// </summary>
    public void Reopen()
    {
        _engineSwap.EnterWriteLock();
        try
        {
            SuppressTransactionFinalizers(Database);
            try
            {
                Database.Dispose();
            }
            catch (Exception ex) when (ex is IOException or LiteException)
            {
                // the old engine may fail to flush on its way out: what it had not committed is not ours to keep
            }

            Database = OpenEngine(_connection, _mapper);
        }
        finally
        {
            _engineSwap.ExitWriteLock();
        }
    }

    /// <summary>
    /// Runs a read on another thread than the writer's (an API request) against the current
    /// engine, never one that <see cref="Reopen"/> is disposing: a read in that moment failed
    /// with a 500 while the disk was full.
    /// </summary>
    public T Read<T>(Func<LiteDatabase, T> read)
    {
        _engineSwap.EnterReadLock();
        try
        {
            return read(Database);
        }
        finally
        {
            _engineSwap.ExitReadLock();
        }
    }

    /// <summary>
    /// A transaction that failed mid-write is left behind in LiteDB's engine; when the garbage
    /// collector later finalizes it, its finalizer checks the (now discarded) pages and throws on
    /// the finalizer thread, which ends the process. Before dropping a broken engine, its open
    /// transactions are taken off the finalization queue. LiteDB 5 exposes no API for this, so the
    /// engine's transaction monitor is found by reflection (by type, not field name); if the layout
    /// differs nothing is suppressed.
    /// </summary>
#pragma warning disable CA1816 // deliberately suppresses another object's finalizer: see above
    private static void SuppressTransactionFinalizers(LiteDatabase database)
    {
        const System.Reflection.BindingFlags Fields = System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance;
        var engine = typeof(LiteDatabase).GetFields(Fields).Select(f => f.GetValue(database)).FirstOrDefault(v => v?.GetType().Name == "LiteEngine");
        var monitor = engine?.GetType().GetFields(Fields).Select(f => f.GetValue(engine)).FirstOrDefault(v => v?.GetType().Name == "TransactionMonitor");
        if (monitor is null)
        {
            return;
        }

        foreach (var transactions in monitor.GetType().GetFields(Fields).Select(f => f.GetValue(monitor)).OfType<System.Collections.IDictionary>())
        {
            foreach (var transaction in transactions.Values)
            {
                if (transaction is not null)
                {
                    GC.SuppressFinalize(transaction);
                }
            }
        }
    }
#pragma warning restore CA1816

    /// <summary>
    /// A mapper that also stores <see cref="DateTimeOffset"/> (as its UTC instant, to the
    /// millisecond: BSON's date resolution).
    /// </summary>
    public static BsonMapper CreateMapper()
    {
        var mapper = new BsonMapper();
        mapper.RegisterType(
            value => new BsonValue(value.UtcDateTime),
            bson => new DateTimeOffset(DateTime.SpecifyKind(bson.AsDateTime.ToUniversalTime(), DateTimeKind.Utc)));
        return mapper;
    }

    /// <summary>
    /// Begins a transaction on the writing thread. Returns true when it first had to reopen the
    /// files because the previous transaction failed (see <see cref="AbandonTransaction"/>): the
    /// caller then reloads what it keeps in memory from the store.
    /// </summary>
    public bool BeginTransaction()
    {
        var reopened = false;
        if (_broken)
        {
            // Throws, and stays broken, while the disk still fails.
            Reopen();
            _broken = false;
            reopened = true;
        }

        Database.BeginTrans();
        return reopened;
    }

    /// <summary>
    /// After a failed write: rolls back if the engine still can, and marks it for a reopen before
    /// the next transaction, since LiteDB's engine can stay unusable after a failed write.
    /// </summary>
    public void AbandonTransaction()
    {
        _broken = true;
        try
        {
            Database.Rollback();
        }
        catch (Exception ex) when (ex is IOException or LiteException)
        {
            // the reopen before the next transaction deals with it
        }
    }

    /// <summary>
    /// Commits the current transaction (if any) and forces the log to stable storage; when this
    /// returns every write made so far survives a power cut. Checkpoints when the log has grown
    /// large, unless <paramref name="checkpoint"/> is false: a group committer acks first and
    /// checkpoints after (<see cref="CheckpointIfLogLarge"/>), so no ack waits for a checkpoint.
    /// </summary>
    public void CommitDurably(bool checkpoint = true)
    {
        // Commit() returns false when there was no explicit transaction: a single write outside
        // one has already auto-committed to the log, which still has to reach the disk.
        Database.Commit();
        DiskSync.File(LogFile);
        if (checkpoint)
        {
            CheckpointIfLogLarge();
        }
    }

    /// <summary>
    /// Checkpoints once the log has grown past <see cref="CheckpointLogBytes"/>. Callers that commit
    /// without forcing to disk call it too, or a run of such commits (a backlog marked delivered,
    /// pruning) would leave the log large until the next durable commit. The checkpoint syncs the
    /// log first, so those commits become durable then.
    /// </summary>
    public void CheckpointIfLogLarge()
    {
        // A failed write left the engine to be reopened first (BeginTransaction does).
        if (!_broken && LogLength() > CheckpointLogBytes)
        {
            Checkpoint();
        }
    }

    /// <summary>Copies the log into the data file, then syncs the data file.</summary>
    public void Checkpoint()
    {
        DiskSync.File(LogFile);
        Database.Checkpoint();
        DiskSync.File(DataFile);
    }

    private long LogLength()
    {
        var info = new FileInfo(LogFile);
        return info.Exists ? info.Length : 0;
    }

    public void Dispose()
    {
        Database.Dispose();
        _engineSwap.Dispose();
    }
}
