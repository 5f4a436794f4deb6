namespace SiteHub.Platform.Storage;

/// <summary>Small durable writes outside a group commit.</summary>
public static class DurableWriteExtensions
{
    /// <summary>
    /// Runs <paramref name="write"/> in one explicit transaction and syncs it. The explicit
    /// transaction matters: a LiteDB operation outside one auto-commits, after which
    /// <see cref="DurableLiteDatabase.CommitDurably"/> finds nothing to commit and syncs nothing.
    /// Call under the caller's write lock (LiteDB transactions belong to the calling thread).
    /// </summary>
    public static void WriteDurably(this DurableLiteDatabase db, Action write)
    {
        db.Database.BeginTrans();
        try
        {
            write();
        }
        catch
        {
            db.Database.Rollback();
            throw;
        }

        db.CommitDurably();
    }
}
