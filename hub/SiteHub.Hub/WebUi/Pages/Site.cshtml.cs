using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SiteHub.Hub.Alerts;
using SiteHub.Hub.Headcount;
using SiteHub.Hub.Ingest;
using SiteHub.Hub.Reconciliation;
using SiteHub.Hub.Registry;
using SiteHub.Protocols.Punches;

namespace SiteHub.Hub.WebUi.Pages;

/// <summary>One site: its gateway and devices, who is on site now (masked), today's punches, and the month's reconciliation of its projects (with CSV export).</summary>
public sealed class SiteModel(HubLiveFeed feed, HeadcountTracker headcount, PunchStore punches, RegistryStore registry, LiveReconciler live, TimeProvider clock) : PageModel
{
    public string SiteId { get; private set; } = "";

    public SiteRow Row { get; private set; } = new("", 0, false, null, null, null, null, 0, 0, 0, []);

    public IReadOnlyList<string> Projects { get; private set; } = [];

    public IReadOnlyList<(string PersonId, DateTimeOffset Since)> People { get; private set; } = [];

    public IReadOnlyList<Punch> Punches { get; private set; } = [];

    public IReadOnlyList<ProjectReconciliationJson> Months { get; private set; } = [];

    /// <summary>A person id for display: the first and last two characters of longer ids.</summary>
    public static string Mask(string id) => id.Length switch
    {
        <= 2 => id,
        <= 6 => id[..1] + new string('*', id.Length - 1),
        _ => string.Concat(id.AsSpan(0, 2), new string('*', id.Length - 4), id.AsSpan(id.Length - 2)),
    };

    public IActionResult OnGet(string siteId, string? month)
    {
        if (!feed.SiteIds().Contains(siteId, StringComparer.Ordinal))
        {
            return NotFound();
        }

        SiteId = siteId;
        Row = feed.Sites().First(s => s.SiteId == siteId);
        Projects = registry.AllProjects().Where(p => p.SiteIds.Contains(siteId, StringComparer.Ordinal)).Select(p => p.Id).ToList();
        People = headcount.PeopleOnSite(siteId);
        Punches = punches.Query(siteId, null, clock.GetUtcNow() - TimeSpan.FromHours(24), null, 500).Reverse().ToList();
        var wageMonth = month is not null && YearMonth.TryParse(month, out var chosen) ? chosen : new YearMonth(live.Today.Year, live.Today.Month);
        Months = Projects.Select(p => AlertsFeature.ProjectMonth(live, p, wageMonth)).OfType<ProjectReconciliationJson>().ToList();
        return Page();
    }

    /// <summary>The reconciliation table of one project's month as CSV (UTF-8 with BOM, for Excel).</summary>
    public IActionResult OnGetCsv(string siteId, string? project, string? month)
    {
        if (project is null || month is null || !YearMonth.TryParse(month, out var wageMonth) || AlertsFeature.ProjectMonth(live, project, wageMonth) is not { } table)
        {
            return NotFound();
        }

        var csv = new StringBuilder("worker_id,name,days,expected,paid,status\n");
        foreach (var w in table.Workers)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{Cell(w.WorkerId)},{Cell(w.Name)},{w.Days},{w.Expected:F2},{w.Paid:F2},{Cell(w.Status)}\n");
        }

        return File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv.ToString())).ToArray(), "text/csv; charset=utf-8", $"{project}-{month}-{siteId}.csv");
    }

    // Quoted, and a leading formula character neutralised (CSV injection into spreadsheets).
    private static string Cell(string value)
    {
        var safe = value.Length > 0 && "=+-@".Contains(value[0], StringComparison.Ordinal) ? "'" + value : value;
        return "\"" + safe.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
