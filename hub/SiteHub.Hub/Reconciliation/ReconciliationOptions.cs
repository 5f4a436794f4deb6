using System.ComponentModel.DataAnnotations;

namespace SiteHub.Hub.Reconciliation;

/// <summary>
/// The <c>Reconciliation</c> section: defaults of the per-project thresholds. An admin may set
/// <c>NoAttendanceDays</c> and <c>ExcessivePayCap</c> at runtime on the hub's rules page (stored in
/// <c>registry.db</c>); a stored value wins over this section until it is cleared there.
/// </summary>
public sealed class ReconciliationOptions
{
    public const string Section = "Reconciliation";

    /// <summary>
    /// Days in a row without any punch at a project that has workers employed before
    /// <c>NO_ATTENDANCE</c> is raised, unless the project sets its own. Default 7.
    /// </summary>
    [Range(1, 366, ErrorMessage = "Reconciliation:NoAttendanceDays must be 1-366")]
    public int NoAttendanceDays { get; set; } = 7;

    /// <summary>
    /// Most one worker may be paid for one wage month at one project (yuan) before
    /// <c>EXCESSIVE_PAY</c> is raised, unless the project sets its own. Default 50000.
    /// </summary>
    [Range(typeof(decimal), "1", "100000000", ErrorMessage = "Reconciliation:ExcessivePayCap must be 1-100000000")]
    public decimal ExcessivePayCap { get; set; } = 50_000m;

    /// <summary>IANA zone of payments and punches that belong to no project. Default <c>Asia/Shanghai</c>.</summary>
    public string DefaultTimeZone { get; set; } = "Asia/Shanghai";
}
