using System.Diagnostics;
using System.Globalization;
using LiteDB;
using Microsoft.Extensions.Logging;

namespace SiteHub.Platform.Storage;

/// <summary>
/// Files whose string keys compare ordinally ignoring case (<see cref="CompareOptions.OrdinalIgnoreCase"/>):
/// the same keys are equal as under LiteDB's default (the current culture ignoring case), but the
/// order of an index no longer depends on ICU's collation tables, so a process without ICU (the
/// gateway runs in invariant globalization mode, BENCHMARKS.md "Gateway memory") searches the file
/// in the order it was written. A file created with a culture's order is rebuilt once into this one:
/// in another order its indexes' skip lists could miss keys that are there (with ICU,
/// <c>SN1:5</c> sorts before <c>SN10:5</c>; compared ordinally, after).
/// </summary>
public static class CaseInsensitiveKeys
{
    /// <summary>The collation of such a file: the invariant culture's LCID with ordinal-ignore-case comparison.</summary>
    public static Collation Collation { get; } = new(CultureInfo.InvariantCulture.LCID, CompareOptions.OrdinalIgnoreCase);

    /// <summary>
    /// At most this many documents, and about <see cref="RebuildBatchBytes"/>, copied per transaction
    /// while rebuilding: an outbox segment holds up to a thousand punches, and LiteDB keeps a
    /// transaction's pages in memory until it commits.
    /// </summary>
    private const int RebuildBatch = 5_000;

    private const int RebuildBatchBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Opens (or creates) <paramref name="dataFile"/> with ordinal-ignore-case keys; an existing file
    /// created with another collation is first rebuilt into a new file that then replaces it (see
    /// <see cref="Rebuild"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">Two keys of a unique index are equal ignoring case ordinally but were not under the file's culture; the file is left as it was.</exception>
    public static DurableLiteDatabase Open(string dataFile, ILogger? logger = null)
    {
        if (!File.Exists(dataFile) || new FileInfo(dataFile).Length == 0)
        {
            return DurableLiteDatabase.Open(dataFile, collation: Collation);
        }

        var existing = DurableLiteDatabase.Open(dataFile);
        bool ready;
        try
        {
            ready = IsCaseInsensitiveOrdinal(existing);
        }
        catch
        {
            existing.Dispose();
            throw;
        }

        if (ready)
        {
            return existing;
        }

        Rebuild(existing, logger);
        return DurableLiteDatabase.Open(dataFile);
    }

    /// <summary>Whether the file's collation is <see cref="Collation"/>'s comparison.</summary>
    public static bool IsCaseInsensitiveOrdinal(DurableLiteDatabase database) =>
        new Collation(database.Database.Pragma("COLLATION").AsString).SortOptions == CompareOptions.OrdinalIgnoreCase;

    /// <summary>
    /// Copies every collection, index and user version of <paramref name="old"/> (which it closes)
    /// into a new file with <see cref="Collation"/>, then puts that file in the old one's place.
    /// Crash-safe at every step: the new file is complete and forced to disk, and the old file's log
    /// copied into it and gone, before the rename; until the rename the old file is untouched and a
    /// half-written new one is discarded by the next attempt; after it, the new file is the file.
    /// Documents are read in the order of their <c>_id</c> index's linked list, which needs no key
    /// comparisons, so reading is correct under any collation.
    /// </summary>
    private static void Rebuild(DurableLiteDatabase old, ILogger? logger)
    {
        var started = Stopwatch.GetTimestamp();
        var dataFile = old.DataFile;
        var oldCollation = old.Database.Pragma("COLLATION").AsString;
        logger?.LogInformation("Rebuilding {File} from collation {Old} to {New} (once, after an upgrade)", dataFile, oldCollation, Collation.ToString());
        var rebuilt = Path.Combine(Path.GetDirectoryName(dataFile)!, Path.GetFileNameWithoutExtension(dataFile) + ".rebuild" + Path.GetExtension(dataFile));
        long documents = 0;
        try
        {
            DeleteWithLog(rebuilt); // what an interrupted attempt left
            using (var target = DurableLiteDatabase.Open(rebuilt, collation: Collation))
            {
                documents = CopyContent(old.Database, target, dataFile);
                target.Checkpoint();
            }

            RemoveLeftoverLog(rebuilt);
            DiskSync.File(rebuilt);
            old.Checkpoint(); // the old log into the old file, which we are about to replace
            old.Dispose();
            RemoveLeftoverLog(dataFile);
            DiskSync.Directory(Path.GetDirectoryName(dataFile)!); // the old log's removal on disk before the rename
            File.Move(rebuilt, dataFile, overwrite: true);
            DiskSync.Directory(Path.GetDirectoryName(dataFile)!);
        }
        catch
        {
            old.Dispose();
            DeleteWithLog(rebuilt);
            throw;
        }

        logger?.LogInformation(
            "Rebuilt {File} from collation {Old} to {New}: {Documents} documents in {Ms:F0} ms",
            dataFile, oldCollation, Collation.ToString(), documents, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private static long CopyContent(LiteDatabase source, DurableLiteDatabase target, string dataFile)
    {
        long copied = 0;
        target.Database.UserVersion = source.UserVersion;
        target.Database.UtcDate = source.UtcDate;
        foreach (var name in source.GetCollectionNames().Order(StringComparer.Ordinal))
        {
            var to = target.Database.GetCollection(name);
            var batch = new List<BsonDocument>();
            long batchBytes = 0;
            foreach (var document in source.GetCollection(name).FindAll())
            {
                batch.Add(document);
                batchBytes += BsonSerializer.Serialize(document).Length;
                if (batch.Count >= RebuildBatch || batchBytes >= RebuildBatchBytes)
                {
                    copied += Write(target, to, batch);
                    batchBytes = 0;
                }
            }

            copied += Write(target, to, batch);
        }

        foreach (var index in source.GetCollection("$indexes").FindAll())
        {
            var (collection, name) = (index["collection"].AsString, index["name"].AsString);
            if (name == "_id")
            {
                continue;
            }

            try
            {
                target.Database.GetCollection(collection).EnsureIndex(name, BsonExpression.Create(index["expression"].AsString), index["unique"].AsBoolean);
            }
            catch (LiteException ex) when (ex.ErrorCode == LiteException.INDEX_DUPLICATE_KEY)
            {
                throw new InvalidOperationException(
                    $"{dataFile} cannot be rebuilt with case-insensitive ordinal keys: in collection '{collection}', unique index '{name}' holds two keys that are equal that way but were distinct under its culture ({ex.Message}). The file is unchanged; rename or remove one of the two documents, or restore the gateway's earlier version.", ex);
            }
        }

        target.CommitDurably();
        return copied;
    }

    private static int Write(DurableLiteDatabase target, ILiteCollection<BsonDocument> to, List<BsonDocument> batch)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        target.BeginTransaction();
        var written = to.InsertBulk(batch, RebuildBatch);
        target.CommitDurably();
        batch.Clear();
        return written;
    }

    /// <summary>LiteDB deletes an empty log when it closes a file; one that is not empty still holds commits, and must not meet another data file.</summary>
    private static void RemoveLeftoverLog(string dataFile)
    {
        var log = LogOf(dataFile);
        if (!File.Exists(log))
        {
            return;
        }

        if (new FileInfo(log).Length > 0)
        {
            throw new IOException($"{log} still holds commits after a checkpoint; {dataFile} was not rebuilt.");
        }

        File.Delete(log);
    }

    private static void DeleteWithLog(string dataFile)
    {
        File.Delete(dataFile);
        File.Delete(LogOf(dataFile));
    }

    private static string LogOf(string dataFile) =>
        Path.Combine(Path.GetDirectoryName(dataFile)!, Path.GetFileNameWithoutExtension(dataFile) + "-log" + Path.GetExtension(dataFile));
}
