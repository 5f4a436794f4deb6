using LiteDB;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SiteHub.Hub.Configuration;
using SiteHub.Platform.Storage;

namespace SiteHub.Hub.WebUi;

/// <summary>The roles of the hub's web UI.</summary>
public static class UiRoles
{
    /// <summary>Reads everything.</summary>
    public const string Viewer = "viewer";

    /// <summary>Also acknowledges and resolves alerts and imports files.</summary>
    public const string Officer = "officer";

    /// <summary>Also manages users.</summary>
    public const string Admin = "admin";

    public static readonly string[] All = [Viewer, Officer, Admin];

    public static bool IsKnown(string? role) => role is Viewer or Officer or Admin;

    /// <summary>Whether the signed-in user may change alerts and import files.</summary>
    public static bool CanAct(System.Security.Claims.ClaimsPrincipal user) => user.IsInRole(Officer) || user.IsInRole(Admin);
}

/// <summary>A web user: the password only as an ASP.NET Core <see cref="PasswordHasher{TUser}"/> hash.</summary>
public sealed record UiUser
{
    [BsonId] public string Name { get; init; } = "";
    public string Role { get; init; } = UiRoles.Viewer;
    public string PasswordHash { get; init; } = "";
    public int Failures { get; init; }
    public DateTimeOffset? LockedUntil { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public string CreatedBy { get; init; } = "";
}

/// <summary>One line of the audit log: who did what, when, from where.</summary>
public sealed record UiAuditEntry
{
    public ObjectId? Id { get; init; }
    public DateTimeOffset At { get; init; }
    public string User { get; init; } = "";
    public string Action { get; init; } = "";
    public string Detail { get; init; } = "";
    public string? Remote { get; init; }
}

/// <summary>The outcome of a login attempt.</summary>
public enum UiLoginResult
{
    Accepted,
    WrongPassword,
    LockedOut,
}

/// <summary>
/// The hub's web users and the audit log, in <c>ui.db</c> of the hub's data folder. The <c>admin</c>
/// user is hashed from <c>Admin:Password</c> at first start (and again when the configuration changes
/// it); admins add viewers, officers and admins. Five wrong passwords in a row lock a user for five
/// minutes. Every write is synced: an audit line must survive a crash.
/// </summary>
public sealed class UiUsers : IDisposable
{
    public const string AdminName = "admin";
    public const int MaxFailedLogins = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(5);
    private readonly DurableLiteDatabase _db;
    private readonly ILiteCollection<UiUser> _users;
    private readonly ILiteCollection<UiAuditEntry> _audit;
    private readonly PasswordHasher<string> _hasher = new();
    private readonly TimeProvider _clock;
    private readonly Lock _lock = new();

    public UiUsers(IOptions<HubOptions> hub, IOptions<AdminOptions> admin, TimeProvider clock)
    {
        _clock = clock;
        Directory.CreateDirectory(hub.Value.DataPath);
        _db = DurableLiteDatabase.Open(Path.Combine(hub.Value.DataPath, "ui.db"));
        _users = _db.Database.GetCollection<UiUser>("users");
        _audit = _db.Database.GetCollection<UiAuditEntry>("audit");
        _audit.EnsureIndex(a => a.At);
        EnsureAdmin(admin.Value.Password);
    }

    private void EnsureAdmin(string password)
    {
        var existing = _users.FindById(AdminName);
        if (existing is not null && _hasher.VerifyHashedPassword(AdminName, existing.PasswordHash, password) != PasswordVerificationResult.Failed)
        {
            return;
        }

        _db.WriteDurably(() =>
        {
            _users.Upsert(new UiUser { Name = AdminName, Role = UiRoles.Admin, PasswordHash = _hasher.HashPassword(AdminName, password), CreatedAt = _clock.GetUtcNow(), CreatedBy = "system" });
            _audit.Insert(NewEntry("system", existing is null ? "password-set" : "password-changed", "admin from Admin:Password", null));
        });
    }

    /// <summary>Checks a login and records it; a locked user is refused even the right password. Returns the role when accepted.</summary>
    public (UiLoginResult Result, string? Role) Login(string user, string password, string? remote)
    {
        var now = _clock.GetUtcNow();
        lock (_lock)
        {
            var account = _users.FindById(user);
            if (account?.LockedUntil is { } locked && now < locked)
            {
                _db.WriteDurably(() => _audit.Insert(NewEntry(user, "login-locked", $"refused: locked until {locked:u}", remote)));
                return (UiLoginResult.LockedOut, null);
            }

            var verified = account is not null && _hasher.VerifyHashedPassword(user, account.PasswordHash, password) != PasswordVerificationResult.Failed;
            if (verified)
            {
                _db.WriteDurably(() =>
                {
                    _users.Update(account! with { Failures = 0, LockedUntil = null });
                    _audit.Insert(NewEntry(user, "login", "", remote));
                });
                return (UiLoginResult.Accepted, account!.Role);
            }

            DateTimeOffset? until = null;
            _db.WriteDurably(() =>
            {
                if (account is not null)
                {
                    var failures = account.LockedUntil is { } ran && now >= ran ? 1 : account.Failures + 1;
                    until = failures >= MaxFailedLogins ? now + LockoutDuration : null;
                    _users.Update(account with { Failures = failures, LockedUntil = until });
                }

                _audit.Insert(NewEntry(user, "login-failed", until is { } u ? $"wrong password; locked until {u:u}" : "wrong password", remote));
            });
            return (UiLoginResult.WrongPassword, null);
        }
    }

    /// <summary>Adds a user (or sets an existing one's role and password); recorded in the audit log.</summary>
    public void Save(string name, string role, string password, string by, string? remote)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!UiRoles.IsKnown(role))
        {
            throw new ArgumentException($"'{role}' is not a role", nameof(role));
        }

        lock (_lock)
        {
            var existing = _users.FindById(name);
            _db.WriteDurably(() =>
            {
                _users.Upsert(new UiUser { Name = name, Role = role, PasswordHash = _hasher.HashPassword(name, password), CreatedAt = existing?.CreatedAt ?? _clock.GetUtcNow(), CreatedBy = existing?.CreatedBy ?? by });
                _audit.Insert(NewEntry(by, existing is null ? "user-added" : "user-changed", $"{name} as {role}", remote));
            });
        }
    }

    public IReadOnlyList<UiUser> All()
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
    public IReadOnlyList<UiAuditEntry> Audit(int limit)
    {
        lock (_lock)
        {
            return _audit.Query().OrderByDescending(a => a.At).Limit(limit).ToList();
        }
    }

    private UiAuditEntry NewEntry(string user, string action, string detail, string? remote) =>
        new() { At = _clock.GetUtcNow(), User = user, Action = action, Detail = detail, Remote = remote };

    public void Dispose()
    {
        lock (_lock)
        {
            _db.Dispose();
        }
    }
}
