namespace SiteHub.Hub.Reconciliation;

/// <summary>What a group of alerts is about; the unit the rules are evaluated in.</summary>
public enum ScopeKind
{
    /// <summary>A worker's month at a project: pay rules. Subject = worker id.</summary>
    WorkerMonth,

    /// <summary>Payments for a month to a payee on no roster. Subject = payee hash.</summary>
    PayeeMonth,

    /// <summary>A project as a whole (<c>NO_ATTENDANCE</c>). No subject, no month.</summary>
    Project,

    /// <summary>A person on no roster of a site, in a month. Subject = the person id the device reported.</summary>
    Unregistered,
}

/// <summary>The unit of rule evaluation: all alerts of one scope are computed together from the ledger.</summary>
public readonly record struct Scope(ScopeKind Kind, string? ProjectId, string Subject, YearMonth Month);

/// <summary>A scope an event changed, and the first day (in the scope's zone) the change is visible from.</summary>
public readonly record struct Touch(Scope Scope, DateOnly VisibleFrom);

/// <summary>Settings of the rules that are not per project.</summary>
/// <param name="NoAttendanceDays">Default of <see cref="Registry.Project.NoAttendanceDays"/>.</param>
/// <param name="ExcessivePayCap">Default of <see cref="Registry.Project.ExcessivePayCap"/>.</param>
/// <param name="DefaultTimeZone">Zone of events that belong to no project.</param>
public sealed record ReconciliationSettings(int NoAttendanceDays, decimal ExcessivePayCap, TimeZoneInfo DefaultTimeZone)
{
    /// <summary>From the configured options.</summary>
    public static ReconciliationSettings From(ReconciliationOptions options) => new(
        options.NoAttendanceDays, options.ExcessivePayCap, TimeZoneInfo.FindSystemTimeZoneById(options.DefaultTimeZone));

    /// <summary>The defaults of <see cref="ReconciliationOptions"/>.</summary>
    public static ReconciliationSettings Default { get; } = From(new ReconciliationOptions());
}

/// <summary>How a payout was tied to a worker.</summary>
public enum PayoutLink
{
    /// <summary>To no one on any roster.</summary>
    None,

    /// <summary>By the payee's ID number.</summary>
    IdNumber,

    /// <summary>By the payee's bank account (the ID matched no one, or there was none).</summary>
    BankAccount,
}

/// <summary>A payout as it was linked: to whom, from which project's account, on which day.</summary>
/// <param name="Payout">The bank's record.</param>
/// <param name="Link">How it was linked to a worker.</param>
/// <param name="FromWageAccount">Whether the payer is a project's registered wage account.</param>
/// <param name="PaidDate">The day it was paid, in the project's zone.</param>
/// <param name="PaidInstant">When it was paid.</param>
/// <param name="PayeeDiffers">Whether the payee's name or ID differs from the linked worker's record.</param>
public sealed record LinkedPayout(Payout Payout, PayoutLink Link, bool FromWageAccount, DateOnly PaidDate, DateTimeOffset PaidInstant, bool PayeeDiffers)
{
    public bool Succeeded => Payout.Status == PayoutStatus.Success;
}

/// <summary>A worker's day at a project: first in, last out (project-local times) and the hours between.</summary>
public sealed record AttendanceDay(DateOnly Date, TimeOnly? FirstIn, TimeOnly? LastOut)
{
    /// <summary>First in → last out, when both are known and in that order.</summary>
    public TimeSpan? WorkedHours => FirstIn is { } start && LastOut is { } end && end > start ? end - start : null;
}
