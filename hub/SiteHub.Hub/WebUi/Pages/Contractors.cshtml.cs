using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using SiteHub.Hub.Alerts;
using SiteHub.Hub.Credit;
using SiteHub.Hub.Registry;
using SiteHub.Hub.WebUi.Exports;

namespace SiteHub.Hub.WebUi.Pages;

/// <summary>Every contractor's credit grade with its reasons (the same scoring as <c>GET /api/contractors/{id}/credit</c>).</summary>
public sealed class ContractorsModel(RegistryStore registry, AlertStore alerts, TimeProvider clock, IOptions<CreditOptions> options) : PageModel
{
    public static readonly IReadOnlyList<CsvColumn<CreditReport>> Columns =
    [
        new("contractor", r => r.Contractor),
        new("grade", r => r.Grade),
        new("score", r => CsvExport.Number(r.Score)),
        new("window_days", r => CsvExport.Number(r.WindowDays)),
        new("as_of", r => CsvExport.Time(r.AsOf)),
        new("reasons", r => string.Join("; ", r.Reasons.Select(x => x.Text))),
    ];

    public IReadOnlyList<CreditReport> Reports { get; private set; } = [];

    public void OnGet() => Load();

    public IActionResult OnGetCsv()
    {
        Load();
        return CsvExport.File("contractors-credit", Reports, Columns);
    }

    private void Load()
    {
        var now = clock.GetUtcNow();
        Reports = CreditFeature.Contractors(registry).Select(c => CreditFeature.Report(c, registry, alerts, now, options.Value)).OfType<CreditReport>()
            .OrderBy(r => r.Score).ThenBy(r => r.Contractor, StringComparer.Ordinal).ToList();
    }
}
