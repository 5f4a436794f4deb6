using System.Text.Json.Serialization;
using SiteHub.Hub.Reconciliation;

namespace SiteHub.Hub.Registry;

/// <summary>A project in the API; the wage account only masked.</summary>
public sealed record ProjectJson(
    string ProjectId,
    string Name,
    IReadOnlyList<string> SiteIds,
    string Contractor,
    string WageAccount,
    int PayDay,
    string Timezone,
    decimal Tolerance,
    int? NoAttendanceDays,
    [property: JsonConverter(typeof(MoneyJsonConverter))] decimal? ExcessivePayCap,
    DateTimeOffset UpdatedAt)
{
    public static ProjectJson From(ProjectDoc p) => new(p.Id, p.Name, p.SiteIds, p.Contractor, p.WageAccountMasked, p.PayDay, p.TimeZone, p.Tolerance,
        p.NoAttendanceDays, p.ExcessivePayCap, p.UpdatedAt);
}

/// <summary>The body of <c>PUT /api/projects/{id}</c>: fields to set (absent or null: unchanged; all but the thresholds required for a new project).</summary>
/// <remarks>
/// <c>WageAccount</c>: The wage account in clear: validated, then stored hashed and masked.<br/>
/// </remarks>
public sealed record ProjectUpdate(
    string? Name = null,
    IReadOnlyList<string>? SiteIds = null,
    string? Contractor = null,
    string? WageAccount = null,
    int? PayDay = null,
    string? Timezone = null,
    decimal? Tolerance = null,
    int? NoAttendanceDays = null,
    decimal? ExcessivePayCap = null);

/// <summary>A worker in the API: one person, their enrolments; ID and accounts only masked.</summary>
public sealed record WorkerJson(string WorkerId, string Name, string IdNumber, IReadOnlyList<EnrolmentJson> Enrolments)
{
    public static WorkerJson From(IReadOnlyList<WorkerDoc> enrolments) => new(
        enrolments[0].WorkerId, enrolments[0].Name, enrolments[0].IdNumberMasked,
        [.. enrolments.Select(e => new EnrolmentJson(e.ProjectId, e.Employer, e.Team, e.BankAccountMasked, e.WageType, e.WageRate, e.StartDate, e.EndDate, e.UpdatedAt))]);
}

/// <summary>A worker's enrolment on a project.</summary>
public sealed record EnrolmentJson(
    string ProjectId,
    string Employer,
    string Team,
    string BankAccount,
    string WageType,
    [property: JsonConverter(typeof(MoneyJsonConverter))] decimal? WageRate,
    string StartDate,
    string? EndDate,
    DateTimeOffset UpdatedAt);

/// <summary>
/// The body of <c>PUT /api/workers/{id}</c>. Name and ID number belong to the person (all their
/// enrolments); the rest to the enrolment on <see cref="ProjectId"/> (may be omitted when the
/// worker has one). A new enrolment needs everything but the team and the end date.
/// </summary>
/// <remarks>
/// <c>IdNumber</c>: The resident ID number in clear: validated (GB 11643), then stored hashed and masked.<br/>
/// <c>BankAccount</c>: The wage account in clear: validated, then stored hashed and masked.<br/>
/// <c>EndDate</c>: YYYY-MM-DD; "" clears it.<br/>
/// </remarks>
public sealed record WorkerUpdate(
    string? ProjectId = null,
    string? Name = null,
    string? IdNumber = null,
    string? Employer = null,
    string? Team = null,
    string? BankAccount = null,
    string? WageType = null,
    decimal? WageRate = null,
    string? StartDate = null,
    string? EndDate = null);
