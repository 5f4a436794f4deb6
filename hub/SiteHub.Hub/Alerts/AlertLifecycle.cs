using SiteHub.Hub.Reconciliation;

namespace SiteHub.Hub.Alerts;

/// <summary>
/// The lifecycle of a stored alert, as pure functions of the stored document, what the rules say
/// and the time: the store applies them, tests call them directly.
/// </summary>
public static class AlertLifecycle
{
    /// <summary>
    /// The rules find <paramref name="alert"/> standing. New: raised. Standing before with the same
    /// figures: unchanged (<c>null</c>). Other figures: updated (a user's resolution is reopened:
    /// the figures moved under it). Cleared before: raised again on the same document.
    /// </summary>
    public static AlertDoc? Stands(AlertDoc? stored, Alert alert, DateTimeOffset now)
    {
        var figures = Figures(alert);
        if (stored is null)
        {
            return figures with
            {
                Key = alert.Key,
                Status = AlertStatus.Open,
                RaisedAt = now,
                UpdatedAt = now,
                Standing = true,
                History = [Event(now, "raised", alert)],
            };
        }

        var same = SameFigures(stored, figures);
        if (stored.Standing && same)
        {
            return null;
        }

        if (!stored.Standing)
        {
            return Apply(stored, figures) with
            {
                Status = AlertStatus.Open,
                UpdatedAt = now,
                ResolvedAt = null,
                ResolvedBy = null,
                Standing = true,
                History = [.. stored.History, Event(now, "raised again", alert)],
            };
        }

        var reopen = stored.Status == AlertStatus.Resolved;
        return Apply(stored, figures) with
        {
            Status = reopen ? AlertStatus.Open : stored.Status,
            UpdatedAt = now,
            ResolvedAt = reopen ? null : stored.ResolvedAt,
            ResolvedBy = reopen ? null : stored.ResolvedBy,
            History = [.. stored.History, Event(now, reopen ? "updated (reopened)" : "updated", alert)],
        };
    }

    /// <summary>The rules no longer find the condition: resolved by the system (a user's earlier resolution stays theirs).</summary>
    public static AlertDoc? Clears(AlertDoc? stored, DateTimeOffset now)
    {
        if (stored is null || !stored.Standing)
        {
            return null;
        }

        var byUser = stored.Status == AlertStatus.Resolved;
        return stored with
        {
            Status = AlertStatus.Resolved,
            Standing = false,
            UpdatedAt = now,
            ResolvedAt = byUser ? stored.ResolvedAt : now,
            ResolvedBy = byUser ? stored.ResolvedBy : AlertStatus.System,
            History = [.. stored.History, new AlertEventDoc { At = now, Action = byUser ? "condition cleared" : "resolved", Comment = "the condition no longer holds" }],
        };
    }

    /// <summary>A user takes the alert up. Only an open alert can be acknowledged.</summary>
    public static AlertDoc Acknowledge(AlertDoc stored, string user, string? comment, DateTimeOffset now) =>
        stored.Status != AlertStatus.Open
            ? throw new InvalidOperationException($"alert {stored.Id} is {stored.Status}; only an open alert can be acknowledged")
            : stored with
            {
                Status = AlertStatus.Acknowledged,
                UpdatedAt = now,
                History = [.. stored.History, new AlertEventDoc { At = now, Action = "acknowledged", User = user, Comment = comment }],
            };

    /// <summary>A user closes the alert (e.g. paid outside the bank file). It reopens if the rules see its figures change.</summary>
    public static AlertDoc Resolve(AlertDoc stored, string user, string? comment, DateTimeOffset now) =>
        stored.Status == AlertStatus.Resolved
            ? throw new InvalidOperationException($"alert {stored.Id} is already resolved")
            : stored with
            {
                Status = AlertStatus.Resolved,
                UpdatedAt = now,
                ResolvedAt = now,
                ResolvedBy = user,
                History = [.. stored.History, new AlertEventDoc { At = now, Action = "resolved", User = user, Comment = comment }],
            };

    /// <summary>
    /// A gateway or device is silent past its threshold: as <see cref="Stands"/> (raised, updated
    /// when severity or detail change, raised again on the same document after it was resolved),
    /// with the site (and device, as the client) of the alert.
    /// </summary>
    public static AlertDoc? Offline(AlertDoc? stored, OfflineAlert alert, DateTimeOffset now) =>
        Stands(stored, alert.AsAlert(), now) is { } changed ? changed with { SiteId = alert.SiteId, Client = alert.Device } : null;

    /// <summary>The key of the <c>TOPIC_VIOLATION</c> alert of a client of a site.</summary>
    public static string ViolationKey(string source, string siteId, string client) => $"{AlertType.TopicViolation.Code()}|{source}|{siteId}|{client}";

    /// <summary>
    /// <paramref name="added"/> more refused attempts of the report's client. New: raised. Standing:
    /// updated with the new count (an acknowledged alert stays acknowledged). Resolved by a user:
    /// raised again. Updates in a row are kept as one history step (the latest count), so a client
    /// that keeps trying cannot grow the document without bound; every user step stays.
    /// </summary>
    public static AlertDoc Violated(AlertDoc? stored, TopicViolationReport report, long added, DateTimeOffset now)
    {
        var count = (stored?.Count ?? 0) + added;
        var who = report.Source == "device" ? $"Device {report.Client} at the site broker of {report.SiteId}" : $"Gateway of site {report.SiteId} (client {report.Client})";
        var detail = $"{who} tried to {report.Action} '{report.Topic}', not its own topic: refused; {count} refused attempt(s) so far.";
        var step = new AlertEventDoc { At = now, Action = "raised", Detail = detail, Count = count };
        if (stored is null)
        {
            return new AlertDoc
            {
                Key = ViolationKey(report.Source, report.SiteId, report.Client),
                Type = AlertType.TopicViolation.Code(),
                Severity = AlertSeverity.High.Code(),
                SiteId = report.SiteId,
                Client = report.Client,
                Topic = report.Topic,
                Count = count,
                Detail = detail,
                Status = AlertStatus.Open,
                RaisedAt = now,
                UpdatedAt = now,
                Standing = true,
                History = [step],
            };
        }

        var reopen = stored.Status == AlertStatus.Resolved;
        List<AlertEventDoc> history = reopen ? [.. stored.History, step with { Action = "raised again" }]
            : stored.History is [.. var earlier, { Action: "updated", User: AlertStatus.System }] ? [.. earlier, step with { Action = "updated" }]
            : [.. stored.History, step with { Action = "updated" }];
        return stored with
        {
            Topic = report.Topic,
            Count = count,
            Detail = detail,
            Status = reopen ? AlertStatus.Open : stored.Status,
            UpdatedAt = now,
            ResolvedAt = reopen ? null : stored.ResolvedAt,
            ResolvedBy = reopen ? null : stored.ResolvedBy,
            Standing = true,
            History = history,
        };
    }

    private static AlertDoc Figures(Alert alert) => new()
    {
        Type = alert.Type.Code(),
        Severity = alert.Severity.Code(),
        ProjectId = alert.ProjectId,
        WorkerId = alert.WorkerId,
        WageMonth = alert.WageMonth?.ToString(),
        Expected = alert.Expected,
        Paid = alert.Paid,
        Days = alert.Days,
        Detail = alert.Detail,
    };

    private static AlertDoc Apply(AlertDoc stored, AlertDoc figures) => stored with
    {
        Severity = figures.Severity,
        Expected = figures.Expected,
        Paid = figures.Paid,
        Days = figures.Days,
        Detail = figures.Detail,
    };

    private static bool SameFigures(AlertDoc a, AlertDoc b) =>
        a.Severity == b.Severity && a.Expected == b.Expected && a.Paid == b.Paid && a.Days == b.Days && a.Detail == b.Detail;

    private static AlertEventDoc Event(DateTimeOffset now, string action, Alert alert) => new()
    {
        At = now,
        Action = action,
        Expected = alert.Expected,
        Paid = alert.Paid,
        Days = alert.Days,
        Detail = alert.Detail,
    };
}
