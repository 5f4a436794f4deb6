using LiteDB;
using Microsoft.Extensions.Options;
using SiteHub.Gateway.Configuration;
using SiteHub.Platform.Storage;

namespace SiteHub.Gateway.Enrolment;

/// <summary>A roster entry as stored.</summary>
public sealed record RosterEntry
{
    [BsonId] public string Id { get; init; } = "";

    public string Name { get; init; } = "";
}

/// <summary>One person a terminal confirmed enrolled.</summary>
public sealed record EnrolledPerson
{
    /// <summary><c>{sn}/{person}</c>.</summary>
    [BsonId] public string Key { get; init; } = "";

    public string Sn { get; init; } = "";

    public string Person { get; init; } = "";

    public string Name { get; init; } = "";
}

/// <summary>
/// The site roster and, per terminal, the people it confirmed enrolled (a done upsert adds, a
/// done delete removes), in <c>enrolment.db</c>, synced on change.
/// </summary>
public sealed class RosterStore : IDisposable
{
    private readonly DurableLiteDatabase _db;
    private readonly ILiteCollection<RosterEntry> _roster;
    private readonly ILiteCollection<EnrolledPerson> _enrolled;
    private readonly Lock _lock = new();

    public RosterStore(IOptions<GatewayOptions> gateway, ILogger<RosterStore> logger)
    {
        _db = CaseInsensitiveKeys.Open(Path.Combine(gateway.Value.DataPath, "enrolment.db"), logger);
        _roster = _db.Database.GetCollection<RosterEntry>("roster");
        _enrolled = _db.Database.GetCollection<EnrolledPerson>("enrolled");
        _enrolled.EnsureIndex(e => e.Sn);
    }

    public IReadOnlyList<RosterWorker> Roster()
    {
        lock (_lock)
        {
            return _roster.FindAll().Select(r => new RosterWorker(r.Id, r.Name)).OrderBy(w => w.Id, StringComparer.Ordinal).ToList();
        }
    }

    public void ReplaceRoster(IReadOnlyCollection<RosterWorker> workers)
    {
        lock (_lock)
        {
            _db.WriteDurably(() =>
            {
                _roster.DeleteAll();
                _roster.InsertBulk(workers.Select(w => new RosterEntry { Id = w.Id, Name = w.Name }));
            });
        }
    }

    public IReadOnlyDictionary<string, string> Enrolled(string sn)
    {
        lock (_lock)
        {
            return _enrolled.Find(e => e.Sn == sn).ToDictionary(e => e.Person, e => e.Name, StringComparer.Ordinal);
        }
    }

    public void SetEnrolled(string sn, string person, string? name)
    {
        var key = sn + "/" + person;
        lock (_lock)
        {
            _db.WriteDurably(() =>
            {
                if (name is null)
                {
                    _enrolled.Delete(key);
                }
                else
                {
                    _enrolled.Upsert(new EnrolledPerson { Key = key, Sn = sn, Person = person, Name = name });
                }
            });
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
