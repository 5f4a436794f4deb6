using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SiteHub.Hub.Alerts;
using SiteHub.Hub.Reconciliation;

namespace SiteHub.Hub.WebUi.Pages;

/// <summary>The alert feed with filters (type, severity, project, month, status); new and changed alerts arrive live.</summary>
public sealed class AlertsModel(AlertStore alerts) : PageModel
{
    public static readonly string[] Types = [.. Enum.GetValues<AlertType>().Select(t => t.Code())];

    [BindProperty(SupportsGet = true)]
    public string? Type { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Severity { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Project { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Month { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; } = "active";

    public string? Problem { get; private set; }

    public IReadOnlyList<AlertRow> Rows { get; private set; } = [];

    public void OnGet()
    {
        Type = string.IsNullOrWhiteSpace(Type) ? null : Type.Trim();
        Severity = string.IsNullOrWhiteSpace(Severity) ? null : Severity.Trim();
        Project = string.IsNullOrWhiteSpace(Project) ? null : Project.Trim();
        Month = string.IsNullOrWhiteSpace(Month) ? null : Month.Trim();
        Status ??= "";
        if (Month is not null && !YearMonth.TryParse(Month, out _))
        {
            Problem = "YYYY-MM";
            Month = null;
        }

        var status = Status.Length == 0 ? null : Status;
        Rows = alerts.Query(new AlertFilter(status, Type, Project, null, Month))
            .Where(a => Severity is null || a.Severity == Severity)
            .Take(1000).Select(AlertRow.From).ToList();
    }
}
