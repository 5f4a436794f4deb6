using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using LiteDB;
using SiteHub.Platform.Storage;
using SiteHub.Protocols.Devices;
using SiteHub.Protocols.Punches;

namespace SiteHub.Gateway.Devices;

/// <summary>A registered device as the registry keeps it (the secret only as a salted hash).</summary>
public sealed record DeviceRecord
{
    [BsonId] public string Sn { get; init; } = "";
    public string SecretHash { get; init; } = "";
    public string Protocol { get; init; } = "sitehub-v1";
    public string? Gate { get; init; }
    public Direction Direction { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? LastSeen { get; init; }
    public bool Online { get; init; }
    public string? Firmware { get; init; }
    public DateTimeOffset? DeviceClock { get; init; }
    public int? Cached { get; init; }
    public int? Capacity { get; init; }
    public int? Enrolled { get; init; }

    /// <summary>The device clock's UTC offset in minutes, for protocols whose times carry none (ZKTeco); null: the push default.</summary>
    public int? UtcOffsetMinutes { get; init; }

    /// <summary>Base URL of the device's own HTTP API (Hikvision ISAPI), for commands the gateway sends to it.</summary>
    public string? DeviceUrl { get; init; }
}

/// <summary>An unknown device that tried to connect, waiting for the site admin.</summary>
public sealed record PendingDevice
{
    [BsonId] public string Sn { get; init; } = "";
    public DateTimeOffset FirstSeen { get; init; }
    public DateTimeOffset LastSeen { get; init; }
    public int Attempts { get; init; }
    public string? RemoteAddress { get; init; }
}

/// <summary>Why a device login was refused.</summary>
public enum DeviceLoginResult
{
    Accepted,
    UnknownDevice,
    WrongSecret,
    Throttled,
}

/// <summary>
/// The devices of this site in <c>registry.db</c>: serial, secret hash, protocol, gate, default
/// direction, last seen and online state. Reads come from an in-memory copy (a punch must not
/// wait for a disk read); every change is written through and synced.
/// </summary>
public sealed class DeviceRegistry : IDisposable
{
    private const int HashIterations = 10_000;
    private readonly DurableLiteDatabase _db;
    private readonly ConcurrentDictionary<string, DeviceRecord> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FailedLogins> _failures = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;
    private readonly int _maxFailedLogins;
    private readonly Lock _writeLock = new();
    private bool _reopenBeforeNextWrite;

    public DeviceRegistry(string dataPath, TimeProvider clock, int maxFailedLogins, ILogger<DeviceRegistry>? logger = null)
    {
        _clock = clock;
        _maxFailedLogins = maxFailedLogins;
        _db = CaseInsensitiveKeys.Open(Path.Combine(dataPath, "registry.db"), logger);
        foreach (var device in _devices.FindAll())
        {
            // Nobody is connected to a broker that just started.
            _cache[device.Sn] = device with { Online = false };
        }
    }

    /// <summary>Raised after a device is added or changed, or goes on- or offline.</summary>
    public event Action<DeviceRecord>? Changed;

    /// <summary>Raised after a device is removed from the registry.</summary>
    public event Action<DeviceRecord>? Removed;

    public IReadOnlyCollection<DeviceRecord> All => _cache.Values.OrderBy(d => d.Sn, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Whether any registered device matches, for per-punch checks: enumerating the dictionary
    /// itself takes no lock, where <see cref="All"/> (its <c>Values</c>, sorted) locks every
    /// bucket and copies — contended across devices at thousands of punches per second.
    /// </summary>
    public bool Any(Func<DeviceRecord, bool> predicate)
    {
        foreach (var (_, device) in _cache)
        {
            if (predicate(device))
            {
                return true;
            }
        }

        return false;
    }

    public IReadOnlyList<PendingDevice> Pending
    {
        get
        {
            lock (_writeLock)
            {
                return _pending.FindAll().OrderBy(p => p.Sn, StringComparer.Ordinal).ToList();
            }
        }
    }

    /// <summary>The registered device <paramref name="sn"/>; null when there is none (or no serial: a page asked for <c>/devices/%09</c>).</summary>
    public DeviceRecord? Find(string? sn) => sn is null ? null : _cache.GetValueOrDefault(sn);

    /// <summary>Registers (or re-registers) a device with its secret; removes it from pending.</summary>
    public DeviceRecord Register(string sn, string secret, string protocol, string? gate, Direction direction, int? utcOffsetMinutes = null, string? deviceUrl = null)
    {
        var record = new DeviceRecord
        {
            Sn = sn,
            SecretHash = HashSecret(secret),
            Protocol = protocol,
            Gate = gate,
            Direction = direction,
            CreatedAt = _clock.GetUtcNow(),
            UtcOffsetMinutes = utcOffsetMinutes,
            DeviceUrl = deviceUrl,
        };
        Write(() =>
        {
            _devices.Upsert(record);
            _pending.Delete(sn);
            _db.CommitDurably();
        });

        _failures.TryRemove(sn, out _);
        _cache[sn] = record;
        Changed?.Invoke(record);
        return record;
    }

    /// <summary>Changes a device's settings, keeping its secret and state; null when it is not registered.</summary>
    public DeviceRecord? Edit(string sn, string protocol, string? gate, Direction direction, int? utcOffsetMinutes, string? deviceUrl) =>
        WriteDurably(sn, d => d with { Protocol = protocol, Gate = gate, Direction = direction, UtcOffsetMinutes = utcOffsetMinutes, DeviceUrl = deviceUrl });

    /// <summary>Gives a device a new secret (the old one stops working at its next login); null when it is not registered.</summary>
    public DeviceRecord? ResetSecret(string sn, string secret) => WriteDurably(sn, d => d with { SecretHash = HashSecret(secret) });

    /// <summary>Removes a device; it is refused (and listed as pending) the next time it connects.</summary>
    public bool Remove(string sn)
    {
        var removed = Write(() =>
        {
            var deleted = _devices.Delete(sn);
            _db.CommitDurably();
            return deleted;
        });

        if (_cache.TryRemove(sn, out var device))
        {
            Removed?.Invoke(device);
            return true;
        }

        return removed;
    }

    /// <summary>Drops a pending device (the site admin does not want it); it is listed again if it keeps trying.</summary>
    public bool RejectPending(string sn)
    {
        return Write(() =>
        {
            var deleted = _pending.Delete(sn);
            _db.CommitDurably();
            return deleted;
        });
    }

    private DeviceRecord? WriteDurably(string sn, Func<DeviceRecord, DeviceRecord> change)
    {
        var updated = Write(() =>
        {
            if (!_cache.TryGetValue(sn, out var device))
            {
                return null;
            }

            var changed = change(device);
            _devices.Upsert(changed);
            _db.CommitDurably();
            _cache[sn] = changed;
            return changed;
        });

        if (updated is not null)
        {
            Changed?.Invoke(updated);
        }

        return updated;
    }

    /// <summary>Checks a device's login; records unknown serials as pending and throttles guessing.</summary>
    public DeviceLoginResult CheckLogin(string sn, string? secret, string? remoteAddress)
    {
        var now = _clock.GetUtcNow();
        if (_failures.TryGetValue(sn, out var failures) && failures.Count >= _maxFailedLogins && now - failures.Since < TimeSpan.FromMinutes(1))
        {
            return DeviceLoginResult.Throttled;
        }

        if (!_cache.TryGetValue(sn, out var device))
        {
            RecordPending(sn, remoteAddress, now);
            return DeviceLoginResult.UnknownDevice;
        }

        if (secret is null || !VerifySecret(secret, device.SecretHash))
        {
            _failures.AddOrUpdate(
                sn,
                _ => new FailedLogins(1, now),
                (_, f) => now - f.Since > TimeSpan.FromMinutes(1) ? new FailedLogins(1, now) : f with { Count = f.Count + 1 });
            return DeviceLoginResult.WrongSecret;
        }

        _failures.TryRemove(sn, out _);
        return DeviceLoginResult.Accepted;
    }

    /// <summary>Marks a device connected or disconnected (connection events and last will).</summary>
    public void SetOnline(string sn, bool online)
    {
        Update(sn, d => d with { Online = online, LastSeen = _clock.GetUtcNow() });
    }

    /// <summary>Applies a heartbeat.</summary>
    public void ApplyStatus(string sn, DeviceStatus status)
    {
        Update(sn, d => d with
        {
            Online = status.Online ?? true,
            LastSeen = _clock.GetUtcNow(),
            Firmware = status.Firmware ?? d.Firmware,
            DeviceClock = status.Clock ?? d.DeviceClock,
            Cached = status.Cached ?? d.Cached,
            Capacity = status.Capacity ?? d.Capacity,
            Enrolled = status.Enrolled ?? d.Enrolled,
        });
    }

    /// <summary>Notes that a device was heard from (a punch), without a disk write.</summary>
    public void Touch(string sn)
    {
        if (_cache.TryGetValue(sn, out var device))
        {
            _cache[sn] = device with { LastSeen = _clock.GetUtcNow() };
        }
    }

    private void Update(string sn, Func<DeviceRecord, DeviceRecord> change)
    {
        if (!_cache.TryGetValue(sn, out var device))
        {
            return;
        }

        var updated = change(device);
        _cache[sn] = updated;
        // Online state and heartbeats are advisory: no fsync needed, the next durable commit carries them.
        TryAdvisoryWrite(() => _devices.Upsert(updated));

        Changed?.Invoke(updated);
    }

    /// <summary>Lists an unknown serial as pending (HTTP-push devices, which do not log in).</summary>
    public void RecordPending(string sn, string? remoteAddress) => RecordPending(sn, remoteAddress, _clock.GetUtcNow());

    private void RecordPending(string sn, string? remoteAddress, DateTimeOffset now)
    {
        // Advisory like online state: a disk that refuses it must not break the login path.
        TryAdvisoryWrite(() =>
        {
            var existing = _pending.FindById(sn);
            _pending.Upsert(existing is null
                ? new PendingDevice { Sn = sn, FirstSeen = now, LastSeen = now, Attempts = 1, RemoteAddress = remoteAddress }
                : existing with { LastSeen = now, Attempts = existing.Attempts + 1, RemoteAddress = remoteAddress });
        });
    }

    // Fetched from the current engine each time: it is replaced after a failed write.
    private ILiteCollection<DeviceRecord> _devices => _db.Database.GetCollection<DeviceRecord>("devices");

    private ILiteCollection<PendingDevice> _pending => _db.Database.GetCollection<PendingDevice>("pending");

    /// <summary>
    /// Runs a write under the lock. After a failed write (disk full, I/O error) the next one first
    /// reopens the database, since LiteDB's engine can stay unusable after the failure.
    /// </summary>
    private T Write<T>(Func<T> write)
    {
        lock (_writeLock)
        {
            if (_reopenBeforeNextWrite)
            {
                _db.Reopen();
                _reopenBeforeNextWrite = false;
            }

            try
            {
                return write();
            }
            catch (Exception ex) when (ex is IOException or LiteException)
            {
                _reopenBeforeNextWrite = true;
                throw;
            }
        }
    }

    private void Write(Action write) => Write(() =>
    {
        write();
        return true;
    });

    /// <summary>Online state, last seen, heartbeats, pending serials: lost on a failing disk, they come back with the next message.</summary>
    private void TryAdvisoryWrite(Action write)
    {
        try
        {
            Write(write);
        }
        catch (Exception ex) when (ex is IOException or LiteException)
        {
            // the in-memory copy is current; the disk catches up with a later write
        }
    }

    /// <summary>A new random secret for a device: 24 characters, 144 bits.</summary>
    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', 'x').Replace('/', 'y');

    /// <summary>PBKDF2-SHA256 with a random salt: <c>pbkdf2$iterations$salt$hash</c>.</summary>
    public static string HashSecret(string secret)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, HashIterations, HashAlgorithmName.SHA256, 32);
        return $"pbkdf2${HashIterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public static bool VerifySecret(string secret, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != "pbkdf2" || !int.TryParse(parts[1], out var iterations))
        {
            return false;
        }

        var salt = Convert.FromBase64String(parts[2]);
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    public void Dispose()
    {
        lock (_writeLock)
        {
            _db.Dispose();
        }
    }

    private sealed record FailedLogins(int Count, DateTimeOffset Since);
}
