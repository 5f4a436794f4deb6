using LiteDB;
using Microsoft.Extensions.Options;
using SiteHub.Gateway.Configuration;
using SiteHub.Platform.Storage;

namespace SiteHub.Gateway.ZkPush;

/// <summary>What the gateway remembers of one ZKTeco terminal's upload positions.</summary>
public sealed record ZkDeviceStamps
{
    [BsonId] public string Sn { get; init; } = "";

    /// <summary>The last ATTLOG <c>Stamp</c> whose records are committed.</summary>
    public long? AttLog { get; init; }

    public long? OperLog { get; init; }

    public long? AttPhoto { get; init; }

    public DateTimeOffset? LastHandshake { get; init; }
}

/// <summary>
/// Per-device upload stamps in <c>zk.db</c>, synced on every change: a restarted gateway hands the
/// terminal the same stamps in its handshake, so the terminal neither resends what was committed
/// nor skips what was not. A stamp is saved only after its records' commit, so a crash between
/// the two makes the terminal resend records the outbox already holds, which dedupes them by id.
/// </summary>
public sealed class ZkStampStore : IDisposable
{
    private readonly DurableLiteDatabase _db;
    private readonly ILiteCollection<ZkDeviceStamps> _stamps;
    private readonly Lock _lock = new();

    public ZkStampStore(IOptions<GatewayOptions> gateway, ILogger<ZkStampStore> logger)
    {
        _db = CaseInsensitiveKeys.Open(Path.Combine(gateway.Value.DataPath, "zk.db"), logger);
        _stamps = _db.Database.GetCollection<ZkDeviceStamps>("stamps");
    }

    public ZkDeviceStamps Get(string sn)
    {
        lock (_lock)
        {
            return _stamps.FindById(sn) ?? new ZkDeviceStamps { Sn = sn };
        }
    }

    /// <summary>Records that <paramref name="table"/>'s records up to <paramref name="stamp"/> are committed (never moves back).</summary>
    public void SaveStamp(string sn, string table, long stamp)
    {
        lock (_lock)
        {
            var current = _stamps.FindById(sn) ?? new ZkDeviceStamps { Sn = sn };
            var updated = table switch
            {
                "ATTLOG" => current with { AttLog = Math.Max(stamp, current.AttLog ?? 0) },
                "OPERLOG" => current with { OperLog = Math.Max(stamp, current.OperLog ?? 0) },
                "ATTPHOTO" => current with { AttPhoto = Math.Max(stamp, current.AttPhoto ?? 0) },
                _ => current,
            };
            if (updated != current)
            {
                _db.WriteDurably(() => _stamps.Upsert(updated));
            }
        }
    }

    public void NoteHandshake(string sn, DateTimeOffset at)
    {
        lock (_lock)
        {
            var current = _stamps.FindById(sn) ?? new ZkDeviceStamps { Sn = sn };
            _stamps.Upsert(current with { LastHandshake = at });

            // Advisory: no sync; the next stamp commit carries it.
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _db.Dispose();
        }
    }
}
