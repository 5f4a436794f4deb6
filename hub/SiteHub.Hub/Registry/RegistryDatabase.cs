using LiteDB;
using Microsoft.Extensions.Options;
using SiteHub.Hub.Configuration;
using SiteHub.Platform.Storage;

namespace SiteHub.Hub.Registry;

/// <summary>
/// <c>registry.db</c>: projects, contractors, teams, workers, payouts, imports and alerts. Every
/// write is one transaction forced to disk before it returns; one lock keeps LiteDB's per-thread
/// transactions from interleaving (writes are rare next to punches: imports, edits, alert changes).
/// </summary>
public sealed class RegistryDatabase : IDisposable
{
    private readonly DurableLiteDatabase _db;
    private readonly Lock _gate = new();

    public RegistryDatabase(IOptions<HubOptions> options)
    {
        _db = DurableLiteDatabase.Open(Path.Combine(options.Value.DataPath, "registry.db"));
        Write(db =>
        {
            db.GetCollection<WorkerDoc>(RegistryStore.Workers).EnsureIndex(w => w.WorkerId);
            db.GetCollection<WorkerDoc>(RegistryStore.Workers).EnsureIndex(w => w.ProjectId);
            db.GetCollection<PayoutDoc>(RegistryStore.Payouts).EnsureIndex(p => p.WageMonth);
            db.GetCollection<ImportDoc>(RegistryStore.Imports).EnsureIndex(i => i.Sha256);
            var alerts = db.GetCollection<Alerts.AlertDoc>(Alerts.AlertStore.Collection);
            alerts.EnsureIndex(a => a.Key, unique: true);
            alerts.EnsureIndex(a => a.Status);
            alerts.EnsureIndex(a => a.ProjectId);
            alerts.EnsureIndex(a => a.WorkerId);
            return 0;
        });
    }

    /// <summary>Reads under the lock.</summary>
    public T Read<T>(Func<LiteDatabase, T> read)
    {
        lock (_gate)
        {
            return read(_db.Database);
        }
    }

    /// <summary>Runs <paramref name="write"/> in one transaction and forces it to disk; nothing of it stays on failure.</summary>
    public T Write<T>(Func<LiteDatabase, T> write)
    {
        lock (_gate)
        {
            _db.Database.BeginTrans();
            try
            {
                var result = write(_db.Database);
                _db.CommitDurably();
                return result;
            }
            catch
            {
                _db.Database.Rollback();
                throw;
            }
        }
    }

    public void Dispose() => _db.Dispose();
}
