namespace SiteHub.Hub.Credit;

/// <summary>
/// The <c>Credit</c> section: how a contractor's grade (诚信等级) is scored from its alert
/// history. A contractor starts at 100 points; every alert raised in the window on its projects
/// (as general contractor) or on the workers it employs (as subcontractor) takes off the weight
/// of its type; the grade is given by the thresholds.
/// </summary>
public sealed class CreditOptions
{
    public const string Section = "Credit";

    /// <summary>How far back alerts count (by the day they were raised). Default 365 days.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromDays(365);

    /// <summary>
    /// Points an alert of each type takes off (<c>Credit:Weights:UNPAID = 10</c>); a type not listed
    /// takes none. Defaults: <c>UNPAID</c> 10, <c>UNDERPAID</c> 6, <c>PAID_WITHOUT_ATTENDANCE</c> 8,
    /// <c>EXCESSIVE_PAY</c> 8, <c>NOT_FROM_WAGE_ACCOUNT</c> 5, <c>PAYEE_MISMATCH</c> 4, <c>LATE</c> 3,
    /// <c>PAYOUT_FAILED</c> 2, <c>NO_ATTENDANCE</c> 2, <c>UNREGISTERED_PUNCH</c> 1,
    /// <c>DEVICE_OFFLINE</c> 0, <c>GATEWAY_OFFLINE</c> 0. Configured values replace the default of their type only.
    /// </summary>
    public Dictionary<string, int> Weights { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["UNPAID"] = 10,
        ["UNDERPAID"] = 6,
        ["PAID_WITHOUT_ATTENDANCE"] = 8,
        ["EXCESSIVE_PAY"] = 8,
        ["NOT_FROM_WAGE_ACCOUNT"] = 5,
        ["PAYEE_MISMATCH"] = 4,
        ["LATE"] = 3,
        ["PAYOUT_FAILED"] = 2,
        ["NO_ATTENDANCE"] = 2,
        ["UNREGISTERED_PUNCH"] = 1,
        ["DEVICE_OFFLINE"] = 0,
        ["GATEWAY_OFFLINE"] = 0,
    };

    /// <summary>Least score for grade A. Default 90.</summary>
    public int GradeA { get; set; } = 90;

    /// <summary>Least score for grade B. Default 75.</summary>
    public int GradeB { get; set; } = 75;

    /// <summary>Least score for grade C; below it, D. Default 60.</summary>
    public int GradeC { get; set; } = 60;
}
