using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SiteHub.Hub.Alerts;
using SiteHub.Hub.Credit;
using SiteHub.Hub.Reconciliation;
using SiteHub.Hub.Registry;
using SiteHub.Hub.WebUi.Exports;

namespace SiteHub.Hub.WebUi.Pages;

/// <summary>
/// The alert feed with filters (type, severity, project, contractor, month, status); new and
/// changed alerts arrive live; <c>?handler=Csv</c> downloads the filtered list.
/// </summary>
public sealed class AlertsModel(AlertStore alerts, RegistryStore registry) : PageModel
{
    /// <summary>Most rows shown (and exported).</summary>
    public const int MaxRows = 1000;

    public static readonly string[] Types = [.. Enum.GetValues<AlertType>().Select(t => t.Code())];

    /// <summary>The columns of the CSV download.</summary>
    public static readonly IReadOnlyList<CsvColumn<AlertRow>> Columns =
    [
        new("alert_id", a => CsvExport.Number(a.Id)),
        new("type", a => a.Type),
        new("severity", a => a.Severity),
        new("project_id", a => a.ProjectId),
        new("contractors", a => string.Join(" / ", a.Contractors)),
        new("worker_id", a => a.WorkerId),
        new("wage_month", a => a.WageMonth),
        new("days", a => CsvExport.Number(a.Days)),
        new("expected", a => CsvExport.Money(a.Expected)),
        new("paid", a => CsvExport.Money(a.Paid)),
        new("status", a => a.Status),
        new("raised_at", a => CsvExport.Time(a.RaisedAt)),
        new("updated_at", a => CsvExport.Time(a.UpdatedAt)),
        new("detail", a => NumberScrubber.Scrub(a.Detail)),
    ];

    [BindProperty(SupportsGet = true)]
    public string? Type { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Severity { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Project { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Contractor { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Month { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; } = "active";

    public string? Problem { get; private set; }

    public IReadOnlyList<AlertRow> Rows { get; private set; } = [];

    /// <summary>Every contractor, for the filter's list.</summary>
    public IReadOnlyList<string> Contractors { get; private set; } = [];

    /// <summary>The CSV download of the list as filtered now.</summary>
    public string CsvUrl => "/alerts" + QueryString.Create(new Dictionary<string, string?>
    {
        ["handler"] = "Csv", ["type"] = Type, ["severity"] = Severity, ["project"] = Project, ["contractor"] = Contractor, ["month"] = Month, ["status"] = Status,
    }.Where(p => p.Value is not null)).Value;

    public void OnGet() => Load();

    public IActionResult OnGetCsv()
    {
        Load();
        return CsvExport.File("alerts", Rows, Columns);
    }

    private void Load()
    {
        Type = Clean(Type);
        Severity = Clean(Severity);
        Project = Clean(Project);
        Contractor = Clean(Contractor);
        Month = Clean(Month);
        Status ??= "";
        if (Month is not null && !YearMonth.TryParse(Month, out _))
        {
            Problem = "YYYY-MM";
            Month = null;
        }

        Contractors = CreditFeature.Contractors(registry);
        var links = ContractorLinks.From(registry);
        var status = Status.Length == 0 ? null : Status;
        Rows = alerts.Query(new AlertFilter(status, Type, Project, null, Month))
            .Where(a => Severity is null || a.Severity == Severity)
            .Where(a => Contractor is null || links.Counts(a, Contractor))
            .Take(MaxRows).Select(a => AlertRow.From(a, links)).ToList();
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
