namespace SiteHub.Gateway.WebUi;

/// <summary>Failed web logins of one account: how many in a row, and until when it is locked.</summary>
public sealed record LockoutState(int Failures, DateTimeOffset? LockedUntil)
{
    public static readonly LockoutState None = new(0, null);
}

/// <summary>The lock-out rule of the web login (pure): after <c>maxFailures</c> wrong passwords in a row the account is locked for <c>duration</c>.</summary>
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

/// <summary>Masks identifiers for display (pure): a worker's id is never shown in clear.</summary>
public static class Masking
{
    /// <summary>Keeps the first and last two characters of ids longer than 6 (<c>W1****89</c>), else all but the first; null or empty stays empty.</summary>
    public static string MaskId(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return "";
        }

        if (id.Length <= 6)
        {
            return id[..1] + new string('*', id.Length - 1);
        }

        return string.Concat(id.AsSpan(0, 2), new string('*', id.Length - 4), id.AsSpan(id.Length - 2));
    }
}
