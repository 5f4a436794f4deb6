namespace SiteHub.Hub.Registry;

/// <summary>How a worker's wage is set.</summary>
public enum WageType
{
    /// <summary>A rate per attended day.</summary>
    Day,

    /// <summary>A monthly wage.</summary>
    Month,
}

/// <summary>A construction project: its sites, its contractor and its wage account.</summary>
/// <param name="ProjectId">Registry id.</param>
/// <param name="Name">Display name.</param>
/// <param name="SiteIds">The sites (gateways) whose punches count as attendance at the project.</param>
/// <param name="Contractor">The general contractor, whose credit the project's alerts count towards.</param>
/// <param name="WageAccountHash">Keyed hash of the project's dedicated wage account (工资专户).</param>
/// <param name="WageAccountMasked">The wage account, masked, for display.</param>
/// <param name="PayDay">Day of month M+1 (1–28) by which wages for month M are due.</param>
/// <param name="TimeZone">The zone that decides which day a punch or a payment belongs to.</param>
/// <param name="Tolerance">Fraction of the expected pay that may be missing before it is <c>UNDERPAID</c>.</param>
/// <param name="NoAttendanceDays">Days without punches before <c>NO_ATTENDANCE</c>; <c>null</c>: the configured default.</param>
/// <param name="ExcessivePayCap">Most one worker may be paid for one month; <c>null</c>: the configured default.</param>
public sealed record Project(
    string ProjectId,
    string Name,
    IReadOnlyList<string> SiteIds,
    string Contractor,
    string WageAccountHash,
    string WageAccountMasked,
    int PayDay,
    TimeZoneInfo TimeZone,
    decimal Tolerance,
    int? NoAttendanceDays = null,
    decimal? ExcessivePayCap = null);

/// <summary>A worker's enrolment on one project's roster (a worker on two projects has two).</summary>
/// <param name="WorkerId">Registry id of the person; punches carry it as their person id.</param>
/// <param name="Name">Real name (实名).</param>
/// <param name="IdNumberHash">Keyed hash of the resident ID number.</param>
/// <param name="IdNumberMasked">The ID number, masked.</param>
/// <param name="ProjectId">The project.</param>
/// <param name="Employer">The employing subcontractor.</param>
/// <param name="Team">The team (班组).</param>
/// <param name="BankAccountHash">Keyed hash of the worker's wage bank account.</param>
/// <param name="BankAccountMasked">The bank account, masked.</param>
/// <param name="WageType">Day rate or monthly wage.</param>
/// <param name="WageRate">Yuan per day or per month.</param>
/// <param name="StartDate">First day of employment on the project.</param>
/// <param name="EndDate">Last day, or <c>null</c> while employed.</param>
public sealed record RosterEntry(
    string WorkerId,
    string Name,
    string IdNumberHash,
    string IdNumberMasked,
    string ProjectId,
    string Employer,
    string Team,
    string BankAccountHash,
    string BankAccountMasked,
    WageType WageType,
    decimal WageRate,
    DateOnly StartDate,
    DateOnly? EndDate)
{
    /// <summary>Whether the worker is employed on <paramref name="date"/>.</summary>
    public bool EmployedOn(DateOnly date) => StartDate <= date && (EndDate is null || date <= EndDate);
}
