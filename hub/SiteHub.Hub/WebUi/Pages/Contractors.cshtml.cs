using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using SiteHub.Hub.Alerts;
using SiteHub.Hub.Credit;
using SiteHub.Hub.Registry;

namespace SiteHub.Hub.WebUi.Pages;

/// <summary>Every contractor's credit grade with its reasons (the same scoring as <c>GET /api/contractors/{id}/credit</c>).</summary>
public sealed class ContractorsModel(RegistryStore registry, AlertStore alerts, TimeProvider clock, IOptions<CreditOptions> options) : PageModel
{
    public IReadOnlyList<CreditReport> Reports { get; private set; } = [];

    public void OnGet()
    {
        var now = clock.GetUtcNow();
        Reports = CreditFeature.Contractors(registry).Select(c => CreditFeature.Report(c, registry, alerts, now, options.Value)).OfType<CreditReport>()
            .OrderBy(r => r.Score).ThenBy(r => r.Contractor, StringComparer.Ordinal).ToList();
    }
}
