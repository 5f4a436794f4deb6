using System.Globalization;
using LiteDB;
using Microsoft.Extensions.Options;
using SiteHub.Gateway.Configuration;
using SiteHub.Platform.Storage;
using SiteHub.Protocols.Devices;

namespace SiteHub.Gateway.DeviceEvents;

/// <summary>A device event as the gateway keeps it.</summary>
public sealed record StoredDeviceEvent
{
    /// <summary><c>{sn}:e{seq}</c> when the device numbered it (a resend is stored once), else unique.</summary>
    [BsonId] public string Id { get; init; } = "";

    public string Sn { get; init; } = "";

    public DeviceEventType Type { get; init; }

    public string Code { get; init; } = "";

    public string Description { get; init; } = "";

    /// <summary>Device time (stored as its UTC instant).</summary>
    public DateTimeOffset Time { get; init; }

    public string? Person { get; init; }

    public long? Seq { get; init; }

    /// <summary>Gateway clock.</summary>
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The event's picture under <c>Gateway:DataPath</c>, when one was kept.</summary>
    public string? PicturePath { get; init; }
}

/// <summary>A device's clock offset as last estimated from a heartbeat.</summary>
public sealed record ClockSkewRecord
{
    [BsonId] public string Sn { get; init; } = "";

    /// <summary>Device clock minus gateway clock, in milliseconds (positive: the device is ahead).</summary>
    public double SkewMs { get; init; }

    public DateTimeOffset MeasuredAt { get; init; }
}

/// <summary>Picture of a punch, by the punch's event id.</summary>
public sealed record PunchPicture
{
    [BsonId] public string EventId { get; init; } = "";

    public string Sn { get; init; } = "";

    public string Path { get; init; } = "";
}

/// <summary>
/// Device events (failed verifications, door events, tailgating, clock skew…), clock-skew
/// estimates and picture references in <c>device-events.db</c>. Events are synced before the
/// call returns, so the device's ack (HTTP 200, PUBACK) means the event is on disk.
/// </summary>
public sealed class DeviceEventStore : IDisposable
{
    private readonly DurableLiteDatabase _db;
    private readonly ILiteCollection<StoredDeviceEvent> _events;
    private readonly ILiteCollection<ClockSkewRecord> _skews;
    private readonly ILiteCollection<PunchPicture> _pictures;
    private readonly TimeProvider _clock;
    private readonly Lock _lock = new();

    public DeviceEventStore(IOptions<GatewayOptions> gateway, TimeProvider clock, ILogger<DeviceEventStore> logger)
    {
        _clock = clock;
        _db = CaseInsensitiveKeys.Open(Path.Combine(gateway.Value.DataPath, "device-events.db"), logger);
        _events = _db.Database.GetCollection<StoredDeviceEvent>("events");
        _events.EnsureIndex(e => e.ReceivedAt);
        _skews = _db.Database.GetCollection<ClockSkewRecord>("clock_skew");
        _pictures = _db.Database.GetCollection<PunchPicture>("pictures");
    }

    /// <summary>Raised after an event is stored (not for a resent duplicate).</summary>
    public event Action<StoredDeviceEvent>? Added;

    /// <summary>Stores an event durably; false when the device already sent it (same sequence number).</summary>
    public bool Add(DeviceEvent e, string? picturePath = null)
    {
        var stored = new StoredDeviceEvent
        {
            Id = e.Seq is { } seq
                ? string.Create(CultureInfo.InvariantCulture, $"{e.Sn}:{e.Code}:{seq}")
                : ObjectId.NewObjectId().ToString(),
            Sn = e.Sn,
            Type = e.Type,
            Code = e.Code,
            Description = e.Description,
            Time = e.Time,
            Person = e.Person,
            Seq = e.Seq,
            ReceivedAt = _clock.GetUtcNow(),
            PicturePath = picturePath,
        };
        var added = false;
        lock (_lock)
        {
            if (_events.FindById(stored.Id) is null)
            {
                _db.WriteDurably(() => _events.Insert(stored));
                added = true;
            }
        }

        if (added)
        {
            Added?.Invoke(stored);
        }

        return added;
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<StoredDeviceEvent> Recent(int limit, string? sn = null, DeviceEventType? type = null)
    {
        lock (_lock)
        {
            return _events.Query().OrderByDescending(e => e.ReceivedAt).ToEnumerable()
                .Where(e => (sn is null || e.Sn == sn) && (type is null || e.Type == type)).Take(limit).ToList();
        }
    }

    public bool Exists(string id)
    {
        lock (_lock)
        {
            return _events.FindById(id) is not null;
        }
    }

    public void RecordSkew(string sn, TimeSpan skew)
    {
        lock (_lock)
        {
            // Advisory, overwritten by the next heartbeat: written without a sync of its own.
            _skews.Upsert(new ClockSkewRecord { Sn = sn, SkewMs = skew.TotalMilliseconds, MeasuredAt = _clock.GetUtcNow() });
        }
    }

    public IReadOnlyList<ClockSkewRecord> Skews()
    {
        lock (_lock)
        {
            return _skews.FindAll().OrderBy(s => s.Sn, StringComparer.Ordinal).ToList();
        }
    }

    public void AddPicture(string eventId, string sn, string path)
    {
        lock (_lock)
        {
            _db.WriteDurably(() => _pictures.Upsert(new PunchPicture { EventId = eventId, Sn = sn, Path = path }));
        }
    }

    public PunchPicture? FindPicture(string eventId)
    {
        lock (_lock)
        {
            return _pictures.FindById(eventId);
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
