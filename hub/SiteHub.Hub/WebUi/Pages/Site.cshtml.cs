using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SiteHub.Hub.Alerts;
using SiteHub.Hub.Headcount;
using SiteHub.Hub.Ingest;
using SiteHub.Hub.Reconciliation;
using SiteHub.Hub.Registry;
using SiteHub.Hub.WebUi.Exports;
using SiteHub.Platform.Web;
using SiteHub.Protocols.Punches;

namespace SiteHub.Hub.WebUi.Pages;

/// <summary>A gate device as the site page lists it: seen in the punches of the last 24 hours.</summary>
public sealed record SiteDeviceRow(string DeviceSn, string? GateId, int Punches, DateTimeOffset LastPunch);

/// <summary>
/// One site: its gateway and devices, who is on site now (masked), today's punches, and the
/// month's reconciliation of its projects; each table downloads as CSV (<c>?handler=Csv&amp;table=…</c>).
/// </summary>
public sealed class SiteModel(HubLiveFeed feed, HeadcountTracker headcount, PunchStore punches, RegistryStore registry, LiveReconciler live, TimeProvider clock) : PageModel
{
    /// <summary>The tables of the page that download as CSV.</summary>
    public static class Tables
    {
        public const string Gateway = "gateway";
        public const string Devices = "devices";
        public const string People = "people";
        public const string Punches = "punches";
        public const string Reconciliation = "reconciliation";
    }

    public static readonly IReadOnlyList<CsvColumn<SiteRow>> GatewayColumns =
    [
        new("site_id", s => s.SiteId),
        new("on_site", s => CsvExport.Number(s.OnSite)),
        new("gateway_connected", s => s.GatewayConnected ? "true" : "false"),
        new("devices_online", s => CsvExport.Number(s.DevicesOnline)),
        new("devices_offline", s => CsvExport.Number(s.DevicesOffline)),
        new("backlog", s => CsvExport.Number(s.Backlog)),
        new("last_contact", s => CsvExport.Time(s.LastContact)),
        new("open_high", s => CsvExport.Number(s.OpenHigh)),
        new("open_medium", s => CsvExport.Number(s.OpenMedium)),
        new("open_low", s => CsvExport.Number(s.OpenLow)),
    ];

    public static readonly IReadOnlyList<CsvColumn<SiteDeviceRow>> DeviceColumns =
    [
        new("device_sn", d => d.DeviceSn),
        new("gate_id", d => d.GateId),
        new("punches_24h", d => CsvExport.Number(d.Punches)),
        new("last_punch", d => CsvExport.Time(d.LastPunch)),
    ];

    public static readonly IReadOnlyList<CsvColumn<(string PersonId, DateTimeOffset Since)>> PeopleColumns =
    [
        new("worker_id_masked", p => PersonIdMask.Mask(p.PersonId)),
        new("since", p => CsvExport.Time(p.Since)),
    ];

    public static readonly IReadOnlyList<CsvColumn<Punch>> PunchColumns =
    [
        new("occurred_at", p => CsvExport.Time(p.OccurredAt)),
        new("worker_id_masked", p => PersonIdMask.Mask(p.PersonId)),
        new("direction", p => p.Direction switch { Direction.In => "in", Direction.Out => "out", _ => "unknown" }),
        new("device_sn", p => p.DeviceSn),
        new("gate_id", p => p.GateId),
    ];

    public static readonly IReadOnlyList<CsvColumn<WorkerReconciliationJson>> ReconciliationColumns =
    [
        new("worker_id", w => w.WorkerId),
        new("name", w => w.Name),
        new("days", w => CsvExport.Number(w.Days)),
        new("expected", w => CsvExport.Money(w.Expected)),
        new("paid", w => CsvExport.Money(w.Paid)),
        new("status", w => w.Status),
    ];

    public string SiteId { get; private set; } = "";

    public SiteRow Row { get; private set; } = SiteRow.Empty;

    public IReadOnlyList<string> Projects { get; private set; } = [];

    public IReadOnlyList<(string PersonId, DateTimeOffset Since)> People { get; private set; } = [];

    public IReadOnlyList<Punch> Punches { get; private set; } = [];

    public IReadOnlyList<SiteDeviceRow> Devices { get; private set; } = [];

    public IReadOnlyList<ProjectReconciliationJson> Months { get; private set; } = [];

    /// <summary>The CSV download of one of the page's tables.</summary>
    public string CsvUrl(string table, string? project = null, string? month = null) =>
        $"/sites/{Uri.EscapeDataString(SiteId)}" + QueryString.Create(new Dictionary<string, string?>
        {
            ["handler"] = "Csv", ["table"] = table, ["project"] = project, ["month"] = month,
        }.Where(p => p.Value is not null));

    public IActionResult OnGet(string siteId, string? month) => Load(siteId, month) ? Page() : NotFound();

    /// <summary>One table of the page as CSV (UTF-8 with BOM, for Excel).</summary>
    public IActionResult OnGetCsv(string siteId, string? table, string? project, string? month)
    {
        if (!Load(siteId, month))
        {
            return NotFound();
        }

        var name = CsvExport.SafeFileName(siteId);
        switch (table)
        {
            case Tables.Gateway:
                return CsvExport.File($"{name}-gateway", [Row], GatewayColumns);
            case Tables.Devices:
                return CsvExport.File($"{name}-devices", Devices, DeviceColumns);
            case Tables.People:
                return CsvExport.File($"{name}-on-site", People, PeopleColumns);
            case Tables.Punches:
                return CsvExport.File($"{name}-punches", Punches, PunchColumns);
            case Tables.Reconciliation or null:
                // A project of another site is not this page's table.
                if (project is null || !Projects.Contains(project, StringComparer.Ordinal) || month is null || !YearMonth.TryParse(month, out var wageMonth)
                    || AlertsFeature.ProjectMonth(live, project, wageMonth) is not { } reconciliation)
                {
                    return NotFound();
                }

                return CsvExport.File($"{project}-{month}-{name}", reconciliation.Workers, ReconciliationColumns);
            default:
                return NotFound();
        }
    }

    private bool Load(string siteId, string? month)
    {
        if (!feed.SiteIds().Contains(siteId, StringComparer.Ordinal))
        {
            return false;
        }

        SiteId = siteId;
        Row = feed.Site(siteId);
        Projects = registry.AllProjects().Where(p => p.SiteIds.Contains(siteId, StringComparer.Ordinal)).Select(p => p.Id).ToList();
        People = headcount.PeopleOnSite(siteId);
        Punches = punches.Query(siteId, null, clock.GetUtcNow() - TimeSpan.FromHours(24), null, 500).Reverse().ToList();
        Devices = Punches.GroupBy(p => p.DeviceSn, StringComparer.Ordinal)
            .Select(g => new SiteDeviceRow(g.Key, g.Select(p => p.GateId).FirstOrDefault(gate => gate is not null), g.Count(), g.Max(p => p.OccurredAt)))
            .OrderBy(d => d.DeviceSn, StringComparer.Ordinal).ToList();
        var wageMonth = month is not null && YearMonth.TryParse(month, out var chosen) ? chosen : new YearMonth(live.Today.Year, live.Today.Month);
        Months = Projects.Select(p => AlertsFeature.ProjectMonth(live, p, wageMonth)).OfType<ProjectReconciliationJson>().ToList();
        return true;
    }
}
