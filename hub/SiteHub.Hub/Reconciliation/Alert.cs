namespace SiteHub.Hub.Reconciliation;

/// <summary>
/// The alert types of the design, and the security alerts the rules do not raise
/// (<see cref="AlertType.TopicViolation"/>); <see cref="AlertTypes.Code(AlertType)"/> gives the wire name.
/// </summary>
public enum AlertType
{
    Unpaid,
    Underpaid,
    Late,
    PaidWithoutAttendance,
    NotFromWageAccount,
    PayeeMismatch,
    PayoutFailed,
    UnregisteredPunch,
    NoAttendance,
    DeviceOffline,
    GatewayOffline,
    ExcessivePay,

    /// <summary>
    /// Security, not a payroll rule: a gateway (at the hub's broker) or a device (at a gateway's
    /// site broker) tried to publish or subscribe outside its own topics and was refused.
    /// </summary>
    TopicViolation,
}

/// <summary>How urgently someone should look.</summary>
public enum AlertSeverity
{
    Low,
    Medium,
    High,
}

/// <summary>Wire names of alert types and severities.</summary>
public static class AlertTypes
{
    /// <summary>The wire name, e.g. <c>PAID_WITHOUT_ATTENDANCE</c>.</summary>
    public static string Code(this AlertType type) => type switch
    {
        AlertType.Unpaid => "UNPAID",
        AlertType.Underpaid => "UNDERPAID",
        AlertType.Late => "LATE",
        AlertType.PaidWithoutAttendance => "PAID_WITHOUT_ATTENDANCE",
        AlertType.NotFromWageAccount => "NOT_FROM_WAGE_ACCOUNT",
        AlertType.PayeeMismatch => "PAYEE_MISMATCH",
        AlertType.PayoutFailed => "PAYOUT_FAILED",
        AlertType.UnregisteredPunch => "UNREGISTERED_PUNCH",
        AlertType.NoAttendance => "NO_ATTENDANCE",
        AlertType.DeviceOffline => "DEVICE_OFFLINE",
        AlertType.GatewayOffline => "GATEWAY_OFFLINE",
        AlertType.ExcessivePay => "EXCESSIVE_PAY",
        AlertType.TopicViolation => "TOPIC_VIOLATION",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The type of a wire name, or <c>null</c>.</summary>
    public static AlertType? Parse(string code) =>
        Enum.GetValues<AlertType>().Cast<AlertType?>().FirstOrDefault(t => string.Equals(t!.Value.Code(), code, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Whether alerts of the wire type <paramref name="code"/> are raised outside the payroll rules
    /// (security; gateways and devices gone silent): the rules' sync never resolves them; a user
    /// does, or (offline alerts) the watch that raised them.
    /// </summary>
    public static bool IsOutsideRules(string code) =>
        string.Equals(code, "TOPIC_VIOLATION", StringComparison.OrdinalIgnoreCase)
        || string.Equals(code, "GATEWAY_OFFLINE", StringComparison.OrdinalIgnoreCase)
        || string.Equals(code, "DEVICE_OFFLINE", StringComparison.OrdinalIgnoreCase);

    /// <summary>The wire name of a severity: <c>low</c>, <c>medium</c>, <c>high</c>.</summary>
    public static string Code(this AlertSeverity severity) => severity switch
    {
        AlertSeverity.Low => "low",
        AlertSeverity.Medium => "medium",
        _ => "high",
    };
}

/// <summary>
/// One standing alert: a condition that holds at the end of the evaluated day. Two evaluations
/// that find the same condition give alerts with the same <see cref="Key"/>; the live store uses
/// it to raise once, update and resolve.
/// </summary>
/// <param name="Type">What is wrong.</param>
/// <param name="Severity">How urgent.</param>
/// <param name="ProjectId">The project, or <c>null</c> when none could be told (a payment from an unknown account to no one on any roster).</param>
/// <param name="WorkerId">The worker (for <c>UNREGISTERED_PUNCH</c>, the person id the device reported), or <c>null</c>.</param>
/// <param name="WageMonth">The wage month, or <c>null</c> (<c>NO_ATTENDANCE</c>).</param>
/// <param name="Expected">Expected pay for the month, where it applies (yuan).</param>
/// <param name="Paid">Paid by the payouts behind the alert (yuan).</param>
/// <param name="Days">Attended days (worker alerts), silent days (<c>NO_ATTENDANCE</c>) or days with unregistered punches.</param>
/// <param name="Detail">Human-readable explanation; ID and account numbers only masked.</param>
/// <param name="Subject">What else tells this alert apart from others of the same type, project, worker and month (a payee's hash), or "".</param>
public sealed record Alert(
    AlertType Type,
    AlertSeverity Severity,
    string? ProjectId,
    string? WorkerId,
    YearMonth? WageMonth,
    decimal? Expected,
    decimal? Paid,
    int? Days,
    string Detail,
    string Subject = "")
{
    /// <summary>The identity of the condition: type, project, worker, month and subject.</summary>
    public string Key => $"{Type.Code()}|{ProjectId}|{WorkerId}|{WageMonth}|{Subject}";
}
