using LiteDB;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using SiteHub.Platform.Storage;

namespace SiteHub.Platform.Web;

/// <summary>A web user: the password only as an ASP.NET Core <see cref="PasswordHasher{TUser}"/> hash.</summary>
public sealed record WebUser
{
    [BsonId] public string Name { get; init; } = "";

    /// <summary>The role the login cookie carries (the UI decides what a role may do).</summary>
    public string Role { get; init; } = "";
    public string PasswordHash { get; init; } = "";
    public int Failures { get; init; }
    public DateTimeOffset? LockedUntil { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public string CreatedBy { get; init; } = "";
}

/// <summary>One line of the audit log: who did what, when, from where.</summary>
public sealed record AuditEntry
{
    public ObjectId? Id { get; init; }
    public DateTimeOffset At { get; init; }
    public string User { get; init; } = "";
    public string Action { get; init; } = "";
    public string Detail { get; init; } = "";
    public string? Remote { get; init; }
}

/// <summary>The outcome of a login attempt.</summary>
public enum LoginResult
{
    Accepted,
    WrongPassword,
    LockedOut,
}

/// <summary>Failed web logins of one user: how many in a row, and until when it is locked.</summary>
public sealed record LockoutState(int Failures, DateTimeOffset? LockedUntil)
{
    public static readonly LockoutState None = new(0, null);
}

/// <summary>The lock-out rule of the web login (pure): after <c>maxFailures</c> wrong passwords in a row the user is locked for <c>duration</c>.</summary>
public static class Lockout
{
    public static bool IsLocked(LockoutState state, DateTimeOffset now) => state.LockedUntil is { } until && now < until;

    /// <summary>The state after a wrong password; the count starts over once a lock has run out.</summary>
    public static LockoutState AfterFailure(LockoutState state, DateTimeOffset now, int maxFailures, TimeSpan duration)
    {
        var failures = state.LockedUntil is { } until && now >= until ? 1 : state.Failures + 1;
        return failures >= maxFailures ? new LockoutState(failures, now + duration) : new LockoutState(failures, null);
    }
}

/// <summary>Where a web UI keeps its users and what its login allows.</summary>
/// <param name="DatabasePath">The LiteDB file (<c>ui.db</c> in the app's data folder).</param>
/// <param name="UsersCollection">The collection of the users (the gateway's is <c>accounts</c>, the hub's <c>users</c>).</param>
/// <param name="AdminPassword">The <c>admin</c> user's password from <c>Admin:Password</c>.</param>
/// <param name="AdminRole">The role of the <c>admin</c> user.</param>
/// <param name="MaxFailedLogins">Wrong passwords in a row before a user is locked.</param>
/// <param name="LockoutDuration">How long a locked user stays locked.</param>
public sealed record WebUserStoreSettings(string DatabasePath, string UsersCollection, string AdminPassword, string AdminRole, int MaxFailedLogins, TimeSpan LockoutDuration);

/// <summary>
/// A web UI's users and its audit log, in one LiteDB file. The <c>admin</c> user is hashed from
/// <c>Admin:Password</c> at first start (and again when the configuration changes it), so a login
/// is verified against the hash, never against clear text; a hash made with older parameters is
/// renewed at the next login. Wrong passwords lock a user per <see cref="Lockout"/>, and a locked
/// user is refused even the right password. Every write is synced: an audit line must survive a crash.
/// </summary>
public sealed class WebUserStore : IDisposable
{
    public const string AdminName = "admin";
    private readonly DurableLiteDatabase _db;
    private readonly ILiteCollection<WebUser> _users;
    private readonly ILiteCollection<AuditEntry> _audit;
    private readonly PasswordHasher<string> _hasher = new();
    private readonly TimeProvider _clock;
    private readonly WebUserStoreSettings _settings;
    private readonly Lock _lock = new();

    public WebUserStore(WebUserStoreSettings settings, TimeProvider clock, ILogger<WebUserStore> logger)
    {
        _settings = settings;
        _clock = clock;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(settings.DatabasePath))!);
        _db = CaseInsensitiveKeys.Open(settings.DatabasePath, logger);
        _users = _db.Database.GetCollection<WebUser>(settings.UsersCollection);
        _audit = _db.Database.GetCollection<AuditEntry>("audit");
        _audit.EnsureIndex(a => a.At);
        EnsureAdmin(settings.AdminPassword);
    }

    private void EnsureAdmin(string password)
    {
        var existing = _users.FindById(AdminName);
        if (existing is not null && _hasher.VerifyHashedPassword(AdminName, existing.PasswordHash, password) != PasswordVerificationResult.Failed)
        {
            if (existing.Role.Length == 0)
            {
                // A user stored before roles existed: the admin is the admin.
                _db.WriteDurably(() => _users.Update(existing with { Role = _settings.AdminRole }));
            }

            return;
        }

        _db.WriteDurably(() =>
        {
            _users.Upsert(new WebUser
            {
                Name = AdminName, Role = _settings.AdminRole, PasswordHash = _hasher.HashPassword(AdminName, password),
                CreatedAt = existing?.CreatedAt ?? _clock.GetUtcNow(), CreatedBy = existing?.CreatedBy ?? "system",
            });
            _audit.Insert(NewEntry("system", existing is null ? "password-set" : "password-changed", "admin from Admin:Password", null));
        });
    }

    /// <summary>Checks a login and records it in the audit log. Returns the user's role when accepted.</summary>
    public (LoginResult Result, string? Role) Login(string user, string password, string? remote)
    {
        var now = _clock.GetUtcNow();
        lock (_lock)
        {
            var account = _users.FindById(user);
            if (account is not null && Lockout.IsLocked(new LockoutState(account.Failures, account.LockedUntil), now))
            {
                _db.WriteDurably(() => _audit.Insert(NewEntry(user, "login-locked", $"refused: locked until {account.LockedUntil:u}", remote)));
                return (LoginResult.LockedOut, null);
            }

            var verified = account is null ? PasswordVerificationResult.Failed : _hasher.VerifyHashedPassword(user, account.PasswordHash, password);
            if (verified != PasswordVerificationResult.Failed)
            {
                var hash = verified == PasswordVerificationResult.SuccessRehashNeeded ? _hasher.HashPassword(user, password) : account!.PasswordHash;
                _db.WriteDurably(() =>
                {
                    _users.Update(account! with { PasswordHash = hash, Failures = 0, LockedUntil = null });
                    _audit.Insert(NewEntry(user, "login", "", remote));
                });
                return (LoginResult.Accepted, account!.Role);
            }

            var state = account is null
                ? LockoutState.None
                : Lockout.AfterFailure(new LockoutState(account.Failures, account.LockedUntil), now, _settings.MaxFailedLogins, _settings.LockoutDuration);
            _db.WriteDurably(() =>
            {
                if (account is not null)
                {
                    _users.Update(account with { Failures = state.Failures, LockedUntil = state.LockedUntil });
                }

                _audit.Insert(NewEntry(user, "login-failed", state.LockedUntil is { } until ? $"wrong password; locked until {until:u}" : "wrong password", remote));
            });
            return (LoginResult.WrongPassword, null);
        }
    }

    /// <summary>Adds a user (or sets an existing one's role and password); recorded in the audit log.</summary>
    public void Save(string name, string role, string password, string by, string? remote)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        lock (_lock)
        {
            var existing = _users.FindById(name);
            _db.WriteDurably(() =>
            {
                _users.Upsert(new WebUser
                {
                    Name = name, Role = role, PasswordHash = _hasher.HashPassword(name, password),
                    CreatedAt = existing?.CreatedAt ?? _clock.GetUtcNow(), CreatedBy = existing?.CreatedBy ?? by,
                });
                _audit.Insert(NewEntry(by, existing is null ? "user-added" : "user-changed", $"{name} as {role}", remote));
            });
        }
    }

    /// <summary>Every user, by name.</summary>
    public IReadOnlyList<WebUser> All()
    {
        lock (_lock)
        {
            return _users.FindAll().OrderBy(u => u.Name, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Records a change made by <paramref name="user"/>.</summary>
    public void Record(string user, string action, string detail, string? remote)
    {
        lock (_lock)
        {
            _db.WriteDurably(() => _audit.Insert(NewEntry(user, action, detail, remote)));
        }
    }

    /// <summary>The newest audit lines first.</summary>
    public IReadOnlyList<AuditEntry> Audit(int limit)
    {
        lock (_lock)
        {
            return _audit.Query().OrderByDescending(a => a.At).Limit(limit).ToList();
        }
    }

    private AuditEntry NewEntry(string user, string action, string detail, string? remote) =>
        new() { At = _clock.GetUtcNow(), User = user, Action = action, Detail = detail, Remote = remote };

    public void Dispose()
    {
        lock (_lock)
        {
            _db.Dispose();
        }
    }
}
