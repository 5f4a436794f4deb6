using LiteDB;

namespace SiteHub.Hub.Alerts;

/// <summary>Where an alert stands for the people handling it.</summary>
public static class AlertStatus
{
    /// <summary>The condition holds and no one has taken it up.</summary>
    public const string Open = "open";

    /// <summary>The condition holds and someone has taken it up.</summary>
    public const string Acknowledged = "acknowledged";

    /// <summary>The condition cleared (<see cref="AlertDoc.ResolvedBy"/> = <c>system</c>) or a user closed it.</summary>
    public const string Resolved = "resolved";

    /// <summary>The user name of resolutions by the rules.</summary>
    public const string System = "system";

    public static bool IsKnown(string status) => status is Open or Acknowledged or Resolved;
}

/// <summary>
/// An alert with its lifecycle, as <c>registry.db</c> stores it. One document per condition
/// (<see cref="Key"/> = type, project, worker, month and subject): raised once, updated when the
/// figures change, resolved when the condition clears, raised again on the same document if it
/// comes back. Figures and detail carry masked numbers only.
/// </summary>
public sealed record AlertDoc
{
    [BsonId] public long Id { get; init; }
    public string Key { get; init; } = "";
    public string Type { get; init; } = "";
    public string Severity { get; init; } = "";
    public string? ProjectId { get; init; }
    public string? WorkerId { get; init; }
    public string? WageMonth { get; init; }
    public decimal? Expected { get; init; }
    public decimal? Paid { get; init; }
    public int? Days { get; init; }
    public string Detail { get; init; } = "";
    public string Status { get; init; } = AlertStatus.Open;
    public DateTimeOffset RaisedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }
    public string? ResolvedBy { get; init; }
    public List<AlertEventDoc> History { get; init; } = [];

    /// <summary>Whether the rules hold the condition to be standing (whatever a user did with it).</summary>
    public bool Standing { get; init; }

    /// <summary>Security alerts: the site of the gateway involved; <c>null</c> for payroll alerts.</summary>
    public string? SiteId { get; init; }

    /// <summary>Security alerts: the client refused (a gateway's MQTT client id, or a device serial).</summary>
    public string? Client { get; init; }

    /// <summary>Security alerts: the last topic (or subscription filter) refused.</summary>
    public string? Topic { get; init; }

    /// <summary>Security alerts: refused attempts so far.</summary>
    public long? Count { get; init; }
}

/// <summary>One step of an alert's history.</summary>
public sealed record AlertEventDoc
{
    public DateTimeOffset At { get; init; }

    /// <summary><c>raised</c>, <c>updated</c>, <c>resolved</c>, <c>raised again</c>, <c>acknowledged</c>, <c>condition cleared</c>.</summary>
    public string Action { get; init; } = "";
    public string User { get; init; } = AlertStatus.System;
    public string? Comment { get; init; }
    public decimal? Expected { get; init; }
    public decimal? Paid { get; init; }
    public int? Days { get; init; }
    public string? Detail { get; init; }

    /// <summary>Security alerts: refused attempts at this step.</summary>
    public long? Count { get; init; }
}
