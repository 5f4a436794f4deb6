using SiteHub.Protocols.Punches;

namespace SiteHub.Hub.Reconciliation;

/// <summary>A punch as reconciliation sees it: who, where, which way, when.</summary>
/// <param name="SiteId">The site whose gate recorded it.</param>
/// <param name="PersonId">The person's registry id (a worker id when they are on a roster).</param>
/// <param name="Direction">In, out or unknown.</param>
/// <param name="OccurredAt">When, with the device's offset.</param>
public sealed record GatePunch(string SiteId, string PersonId, Direction Direction, DateTimeOffset OccurredAt)
{
    /// <summary>From the hub's canonical punch.</summary>
    public static GatePunch From(Punch punch) => new(punch.SiteId, punch.PersonId, punch.Direction, punch.OccurredAt);
}

/// <summary>What the bank says became of a payout.</summary>
public enum PayoutStatus
{
    /// <summary>The money reached the payee's account.</summary>
    Success,

    /// <summary>The bank could not pay (closed account, wrong name…).</summary>
    Failed,
}

/// <summary>
/// A bank timestamp: a date and time, with the offset when the bank gave one. Without one it is a
/// wall-clock time in the zone of the project that the payout belongs to.
/// </summary>
/// <param name="Local">The date and time as written (its <see cref="DateTime.Kind"/> is ignored).</param>
/// <param name="Offset">The offset the bank wrote, or <c>null</c>.</param>
public readonly record struct BankTimestamp(DateTime Local, TimeSpan? Offset)
{
    /// <summary>The instant, reading an offset-less time in <paramref name="zone"/>.</summary>
    public DateTimeOffset InstantIn(TimeZoneInfo zone)
    {
        var local = DateTime.SpecifyKind(Local, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, Offset ?? zone.GetUtcOffset(local));
    }

    /// <summary>The calendar day in <paramref name="zone"/>.</summary>
    public DateOnly DateIn(TimeZoneInfo zone) => Offset is null
        ? DateOnly.FromDateTime(Local)
        : DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(InstantIn(zone), zone).DateTime);
}

/// <summary>One line of a bank's wage-payment (代发) flow. Account and ID numbers are hashed and masked.</summary>
/// <param name="TxnId">The bank's transaction id, unique per bank file.</param>
/// <param name="PayerAccountHash">Keyed hash of the account that paid.</param>
/// <param name="PayerAccountMasked">The paying account, masked.</param>
/// <param name="PayeeName">Name of the payee as the bank has it.</param>
/// <param name="PayeeIdHash">Keyed hash of the payee's ID number, or <c>null</c> when the bank gave none.</param>
/// <param name="PayeeIdMasked">The payee's ID number, masked, or <c>null</c>.</param>
/// <param name="PayeeAccountHash">Keyed hash of the account paid into.</param>
/// <param name="PayeeAccountMasked">The account paid into, masked.</param>
/// <param name="Amount">Yuan.</param>
/// <param name="WageMonth">The month the wage is for.</param>
/// <param name="PaidAt">When the bank paid (or failed to).</param>
/// <param name="Status">Success or failure.</param>
public sealed record Payout(
    string TxnId,
    string PayerAccountHash,
    string PayerAccountMasked,
    string PayeeName,
    string? PayeeIdHash,
    string? PayeeIdMasked,
    string PayeeAccountHash,
    string PayeeAccountMasked,
    decimal Amount,
    YearMonth WageMonth,
    BankTimestamp PaidAt,
    PayoutStatus Status);
