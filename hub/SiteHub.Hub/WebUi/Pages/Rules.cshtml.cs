using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SiteHub.Hub.Alerts;
using SiteHub.Hub.Registry;
using SiteHub.Hub.WebUi.Exports;
using SiteHub.Platform.Web;

namespace SiteHub.Hub.WebUi.Pages;

/// <summary>
/// Admins set the rules' thresholds: per project the pay day, the tolerance, the time zone, the
/// days without punches before <c>NO_ATTENDANCE</c> and the monthly pay cap of <c>EXCESSIVE_PAY</c>
/// (blank: the global default), and the global defaults of the last two. A change is stored,
/// written to the audit log with the old and new values, and the live rules are rebuilt at once,
/// so the affected project's alerts and reconciliation follow it. Viewers and officers get 403.
/// </summary>
[Authorize(Roles = UiRoles.Admin)]
public sealed class RulesModel(RegistryStore registry, RuleSettingsStore settings, LiveReconciler live, KeyedHasher hasher, WebUserStore users) : PageModel
{
    public static readonly IReadOnlyList<CsvColumn<ProjectDoc>> Columns =
    [
        new("project_id", p => p.Id),
        new("name", p => p.Name),
        new("contractor", p => p.Contractor),
        new("pay_day", p => CsvExport.Number(p.PayDay)),
        new("tolerance", p => p.Tolerance.ToString("0.####", CultureInfo.InvariantCulture)),
        new("timezone", p => p.TimeZone),
        new("no_attendance_days", p => CsvExport.Number(p.NoAttendanceDays)),
        new("excessive_pay_cap", p => CsvExport.Money(p.ExcessivePayCap)),
        new("updated_at", p => CsvExport.Time(p.UpdatedAt)),
    ];

    public IReadOnlyList<ProjectDoc> Projects { get; private set; } = [];

    public RuleSettingsDoc Stored { get; private set; } = new();

    /// <summary>The configured defaults (shown beside the stored ones).</summary>
    public Reconciliation.ReconciliationOptions Configured => settings.Configured;

    /// <summary>The project the errors are about, or <c>*</c> for the global settings.</summary>
    public string? ErrorsFor { get; private set; }

    /// <summary>Invalid fields: the UI text key <c>Invalid_{field}</c> of each.</summary>
    public IReadOnlyList<string> Errors { get; private set; } = [];

    /// <summary>What was saved (a project id or <c>*</c>), for the notice.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Saved { get; set; }

    public void OnGet() => Load();

    public IActionResult OnGetCsv() => CsvExport.File("project-thresholds", registry.AllProjects(), Columns);

    public IActionResult OnPostProject(string? projectId, string? payDay, string? tolerance, string? timezone, string? noAttendanceDays, string? excessivePayCap)
    {
        if (projectId is null || registry.FindProject(projectId) is not { } existing)
        {
            return NotFound();
        }

        var errors = new List<string>();
        var day = ParseInt(payDay, "pay_day", errors);
        var fraction = ParseDecimal(tolerance, "tolerance", errors);
        var silent = string.IsNullOrWhiteSpace(noAttendanceDays) ? null : ParseInt(noAttendanceDays, "no_attendance_days", errors);
        var cap = string.IsNullOrWhiteSpace(excessivePayCap) ? null : ParseDecimal(excessivePayCap, "excessive_pay_cap", errors);
        var fieldErrors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var project = RegistryFeature.ApplyProject(projectId, existing,
            new ProjectUpdate(PayDay: day, Timezone: string.IsNullOrWhiteSpace(timezone) ? null : timezone.Trim(), Tolerance: fraction, NoAttendanceDays: silent, ExcessivePayCap: cap),
            hasher, registry, fieldErrors);
        errors.AddRange(fieldErrors.Keys.Where(k => !errors.Contains(k)));
        if (project is null || errors.Count > 0)
        {
            return Invalid(projectId, errors);
        }

        // Blank means "the global default": the update above leaves a blank field as it was.
        project = project with { NoAttendanceDays = silent, ExcessivePayCap = cap };
        var before = Describe(existing.PayDay, existing.Tolerance, existing.TimeZone, existing.NoAttendanceDays, existing.ExcessivePayCap);
        var after = Describe(project.PayDay, project.Tolerance, project.TimeZone.Id, project.NoAttendanceDays, project.ExcessivePayCap);
        if (before != after)
        {
            registry.UpsertProjects([project]);
            live.Rebuild();
            users.Record(HttpContext.UserName(), "project-thresholds-changed", $"{projectId}: {before} → {after}", HttpContext.Remote());
        }

        return RedirectToPage(new { saved = projectId });
    }

    public IActionResult OnPostGlobal(string? noAttendanceDays, string? excessivePayCap)
    {
        var errors = new List<string>();
        var silent = string.IsNullOrWhiteSpace(noAttendanceDays) ? null : ParseInt(noAttendanceDays, "no_attendance_days", errors);
        var cap = string.IsNullOrWhiteSpace(excessivePayCap) ? null : ParseDecimal(excessivePayCap, "excessive_pay_cap", errors);
        if (silent is < 1 or > 366)
        {
            errors.Add("no_attendance_days");
        }

        if (cap is < 1m or > 100_000_000m)
        {
            errors.Add("excessive_pay_cap");
        }

        if (errors.Count > 0)
        {
            return Invalid("*", errors);
        }

        var old = settings.Stored();
        var before = DescribeGlobal(old.NoAttendanceDays, old.ExcessivePayCap);
        var after = DescribeGlobal(silent, cap);
        if (before != after)
        {
            settings.Save(silent, cap, HttpContext.UserName());
            live.Rebuild();
            users.Record(HttpContext.UserName(), "rule-settings-changed", $"{before} → {after}", HttpContext.Remote());
        }

        return RedirectToPage(new { saved = "*" });
    }

    private PageResult Invalid(string target, List<string> errors)
    {
        ErrorsFor = target;
        Errors = [.. errors.Distinct(StringComparer.Ordinal)];
        Load();
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    private void Load()
    {
        Projects = registry.AllProjects();
        Stored = settings.Stored();
    }

    private static int? ParseInt(string? text, string field, List<string> errors)
    {
        if (int.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        errors.Add(field);
        return null;
    }

    private static decimal? ParseDecimal(string? text, string field, List<string> errors)
    {
        if (decimal.TryParse(text?.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        errors.Add(field);
        return null;
    }

    private static string Describe(int payDay, decimal tolerance, string zone, int? noAttendanceDays, decimal? cap) => string.Create(CultureInfo.InvariantCulture,
        $"pay_day {payDay}, tolerance {tolerance:0.####}, timezone {zone}, no_attendance_days {noAttendanceDays?.ToString(CultureInfo.InvariantCulture) ?? "default"}, excessive_pay_cap {cap?.ToString("F2", CultureInfo.InvariantCulture) ?? "default"}");

    private static string DescribeGlobal(int? noAttendanceDays, decimal? cap) => string.Create(CultureInfo.InvariantCulture,
        $"no_attendance_days {noAttendanceDays?.ToString(CultureInfo.InvariantCulture) ?? "configured"}, excessive_pay_cap {cap?.ToString("F2", CultureInfo.InvariantCulture) ?? "configured"}");
}
