using System.Text.Json.Serialization;
using SiteHub.Hub.Reconciliation;

namespace SiteHub.Hub.Alerts;

/// <summary>
/// An alert in the API: the interchange fields (<c>type, severity, project_id, worker_id,
/// wage_month, expected, paid, days, detail</c>) and its lifecycle; the history only from
/// <c>GET /api/alerts/{id}</c>.
/// </summary>
public sealed record AlertJsonWithLifecycle(
    long Id,
    string Type,
    string Severity,
    string? ProjectId,
    string? WorkerId,
    string? WageMonth,
    [property: JsonConverter(typeof(MoneyJsonConverter))] decimal? Expected,
    [property: JsonConverter(typeof(MoneyJsonConverter))] decimal? Paid,
    int? Days,
    string Detail,
    string Status,
    DateTimeOffset RaisedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ResolvedAt,
    string? ResolvedBy,
    IReadOnlyList<AlertEventJson>? History,
    string? SiteId = null,
    string? Client = null,
    string? Topic = null,
    long? Count = null)
{
    public static AlertJsonWithLifecycle From(AlertDoc a, bool withHistory = false) => new(
        a.Id, a.Type, a.Severity, a.ProjectId, a.WorkerId, a.WageMonth, a.Expected, a.Paid, a.Days, a.Detail, a.Status, a.RaisedAt, a.UpdatedAt, a.ResolvedAt, a.ResolvedBy,
        withHistory ? [.. a.History.Select(h => new AlertEventJson(h.At, h.Action, h.User, h.Comment, h.Expected, h.Paid, h.Days, h.Detail, h.Count))] : null,
        a.SiteId, a.Client, a.Topic, a.Count);
}

/// <summary>One step of an alert's history.</summary>
public sealed record AlertEventJson(
    DateTimeOffset At,
    string Action,
    string User,
    string? Comment,
    [property: JsonConverter(typeof(MoneyJsonConverter))] decimal? Expected,
    [property: JsonConverter(typeof(MoneyJsonConverter))] decimal? Paid,
    int? Days,
    string? Detail,
    long? Count = null);

/// <summary>The body of <c>POST /api/alerts/{id}/acknowledge</c> and <c>/resolve</c>.</summary>
public sealed record AlertAction(string? Comment = null);

/// <summary>A worker's month: per project attendance, expected and paid; the payouts and the alerts.</summary>
public sealed record WorkerMonthJson(string WorkerId, string Month, DateOnly AsOf, IReadOnlyList<WorkerProjectMonthJson> Projects, IReadOnlyList<PayoutJson> Payouts, IReadOnlyList<AlertJsonWithLifecycle> Alerts);

/// <summary>A worker's month at one project.</summary>
public sealed record WorkerProjectMonthJson(
    string ProjectId,
    int AttendedDays,
    [property: JsonConverter(typeof(MoneyJsonConverter))] decimal? Expected,
    [property: JsonConverter(typeof(MoneyJsonConverter))] decimal? Paid,
    DateOnly DueDate,
    IReadOnlyList<AttendanceDayJson> Days);

/// <summary>An attended day (project-local times).</summary>
public sealed record AttendanceDayJson(DateOnly Date, TimeOnly? FirstIn, TimeOnly? LastOut, double? Hours);

/// <summary>A payout linked to the worker; accounts and ID masked.</summary>
public sealed record PayoutJson(
    string TxnId,
    string ProjectId,
    [property: JsonConverter(typeof(MoneyJsonConverter))] decimal? Amount,
    string Status,
    DateOnly PaidDate,
    string PayerAccount,
    bool FromWageAccount,
    string PayeeName,
    string? PayeeIdNumber,
    string PayeeAccount,
    string LinkedBy);

/// <summary>A project's month, worker by worker.</summary>
public sealed record ProjectReconciliationJson(
    string ProjectId,
    string Month,
    DateOnly AsOf,
    DateOnly DueDate,
    [property: JsonConverter(typeof(MoneyJsonConverter))] decimal? TotalExpected,
    [property: JsonConverter(typeof(MoneyJsonConverter))] decimal? TotalPaid,
    IReadOnlyList<WorkerReconciliationJson> Workers);

/// <summary>One worker's line of a project's month.</summary>
/// <remarks>
/// <c>Status</c>: <c>ok</c>, <c>not due</c> (before the due date), <c>no attendance</c>, or the alert types standing, comma-separated.<br/>
/// </remarks>
public sealed record WorkerReconciliationJson(
    string WorkerId,
    string Name,
    int Days,
    [property: JsonConverter(typeof(MoneyJsonConverter))] decimal? Expected,
    [property: JsonConverter(typeof(MoneyJsonConverter))] decimal? Paid,
    string Status);
