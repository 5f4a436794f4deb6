using LiteDB;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SiteHub.Gateway.Configuration;
using SiteHub.Platform.Storage;

namespace SiteHub.Gateway.WebUi;

/// <summary>The web login's account: the password only as an ASP.NET Core <see cref="PasswordHasher{TUser}"/> hash.</summary>
public sealed record UiAccount
{
    [BsonId] public string Name { get; init; } = "";
    public string PasswordHash { get; init; } = "";
    public int Failures { get; init; }
    public DateTimeOffset? LockedUntil { get; init; }
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

/// <summary>
/// The site admin's web account and the audit log, in <c>ui.db</c>. The configured
/// <c>Admin:Password</c> is hashed into it at first start (and again when the configuration
/// changes it), so a login is verified against the hash, never against clear text; wrong passwords
/// lock the account per <see cref="Lockout"/>. Every write is synced: an audit line must survive a crash.
/// </summary>
public sealed class UiAccounts : IDisposable
{
    public const string AdminName = "admin";
    private readonly DurableLiteDatabase _db;
    private readonly ILiteCollection<UiAccount> _accounts;
    private readonly ILiteCollection<AuditEntry> _audit;
    private readonly PasswordHasher<string> _hasher = new();
    private readonly TimeProvider _clock;
    private readonly WebUiOptions _options;
    private readonly Lock _lock = new();

    public UiAccounts(IOptions<GatewayOptions> gateway, IOptions<AdminOptions> admin, IOptions<WebUiOptions> options, TimeProvider clock)
    {
        _clock = clock;
        _options = options.Value;
        _db = DurableLiteDatabase.Open(Path.Combine(gateway.Value.DataPath, "ui.db"));
        _accounts = _db.Database.GetCollection<UiAccount>("accounts");
        _audit = _db.Database.GetCollection<AuditEntry>("audit");
        _audit.EnsureIndex(a => a.At);
        EnsureAdmin(admin.Value.Password);
    }

    private void EnsureAdmin(string password)
    {
        var existing = _accounts.FindById(AdminName);
        if (existing is not null && _hasher.VerifyHashedPassword(AdminName, existing.PasswordHash, password) != PasswordVerificationResult.Failed)
        {
            return;
        }

        _db.WriteDurably(() =>
        {
            _accounts.Upsert(new UiAccount { Name = AdminName, PasswordHash = _hasher.HashPassword(AdminName, password) });
            _audit.Insert(NewEntry("system", existing is null ? "password-set" : "password-changed", "from Admin:Password", null));
        });
    }

    /// <summary>Checks a login and records it in the audit log; a locked account refuses even the right password.</summary>
    public LoginResult Login(string user, string password, string? remote)
    {
        var now = _clock.GetUtcNow();
        lock (_lock)
        {
            var account = _accounts.FindById(user);
            if (account is not null && Lockout.IsLocked(new LockoutState(account.Failures, account.LockedUntil), now))
            {
                _db.WriteDurably(() => _audit.Insert(NewEntry(user, "login-locked", $"refused: locked until {account.LockedUntil:u}", remote)));
                return LoginResult.LockedOut;
            }

            var verified = account is not null && _hasher.VerifyHashedPassword(user, account.PasswordHash, password) switch
            {
                PasswordVerificationResult.Success => true,
                PasswordVerificationResult.SuccessRehashNeeded => Rehash(account, password),
                _ => false,
            };
            if (verified)
            {
                _db.WriteDurably(() =>
                {
                    _accounts.Update(_accounts.FindById(user) with { Failures = 0, LockedUntil = null });
                    _audit.Insert(NewEntry(user, "login", "", remote));
                });
                return LoginResult.Accepted;
            }

            var state = account is null
                ? LockoutState.None
                : Lockout.AfterFailure(new LockoutState(account.Failures, account.LockedUntil), now, _options.MaxFailedLogins, _options.LockoutDuration);
            _db.WriteDurably(() =>
            {
                if (account is not null)
                {
                    _accounts.Update(account with { Failures = state.Failures, LockedUntil = state.LockedUntil });
                }

                _audit.Insert(NewEntry(user, "login-failed", state.LockedUntil is { } until ? $"wrong password; locked until {until:u}" : "wrong password", remote));
            });
            return LoginResult.WrongPassword;
        }
    }

    private bool Rehash(UiAccount account, string password)
    {
        _accounts.Update(account with { PasswordHash = _hasher.HashPassword(account.Name, password) });
        return true;
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
