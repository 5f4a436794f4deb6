using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SiteHub.Hub.Alerts;
using SiteHub.Hub.Credit;
using SiteHub.Hub.Reconciliation;
using SiteHub.Hub.Registry;
using SiteHub.Hub.WebUi.Exports;

namespace SiteHub.Hub.WebUi.Pages;

/// <summary>An attended day of the worker's month at one project, as the attendance CSV lists it.</summary>
public sealed record WorkerDayRow(string ProjectId, AttendanceDayJson Day);

/// <summary>
/// A worker's month: a calendar of attended days beside the month's payouts and alerts (the
/// figures of <c>GET /api/workers/{id}/months/{month}</c>); each downloads as CSV
/// (<c>?handler=Csv&amp;table=attendance|payouts|alerts</c>), accounts and ID numbers masked as shown.
/// </summary>
public sealed class WorkerModel(RegistryStore registry, LiveReconciler live, AlertStore alerts) : PageModel
{
    /// <summary>The tables of the page that download as CSV.</summary>
    public static class Tables
    {
        public const string Attendance = "attendance";
        public const string Payouts = "payouts";
        public const string Alerts = "alerts";
    }

    public static readonly IReadOnlyList<CsvColumn<WorkerDayRow>> AttendanceColumns =
    [
        new("project_id", d => d.ProjectId),
        new("date", d => CsvExport.Date(d.Day.Date)),
        new("first_in", d => d.Day.FirstIn?.ToString("HH:mm", CultureInfo.InvariantCulture)),
        new("last_out", d => d.Day.LastOut?.ToString("HH:mm", CultureInfo.InvariantCulture)),
        new("hours", d => d.Day.Hours?.ToString("F2", CultureInfo.InvariantCulture)),
    ];

    public static readonly IReadOnlyList<CsvColumn<PayoutJson>> PayoutColumns =
    [
        new("txn_id", p => p.TxnId),
        new("project_id", p => p.ProjectId),
        new("amount", p => CsvExport.Money(p.Amount)),
        new("status", p => p.Status),
        new("paid_date", p => CsvExport.Date(p.PaidDate)),
        new("payer_account_masked", p => p.PayerAccount),
        new("from_wage_account", p => p.FromWageAccount ? "true" : "false"),
        new("payee_name", p => p.PayeeName),
        new("payee_id_number_masked", p => p.PayeeIdNumber),
        new("payee_account_masked", p => p.PayeeAccount),
        new("linked_by", p => p.LinkedBy),
    ];

    public string Id { get; private set; } = "";

    public WorkerMonthJson? Month { get; private set; }

    public IReadOnlyDictionary<DateOnly, AttendanceDayJson> Attended { get; private set; } = new Dictionary<DateOnly, AttendanceDayJson>();

    public IReadOnlyList<DateOnly?[]> Weeks { get; private set; } = [];

    public IReadOnlyList<string> WeekDays { get; } =
        [.. Enumerable.Range(1, 7).Select(i => CultureInfo.CurrentUICulture.DateTimeFormat.GetShortestDayName((DayOfWeek)(i % 7)))];

    /// <summary>The CSV download of one of the page's tables.</summary>
    public string CsvUrl(string table) => $"/workers/{Uri.EscapeDataString(Id)}?handler=Csv&table={table}&month={Month?.Month}";

    public IActionResult OnGet(string id, string? month) => Load(id, month) ? Page() : NotFound();

    /// <summary>One table of the worker's month as CSV.</summary>
    public IActionResult OnGetCsv(string id, string? month, string? table)
    {
        if (!Load(id, month))
        {
            return NotFound();
        }

        var name = CsvExport.SafeFileName($"{id}-{Month!.Month}");
        switch (table)
        {
            case Tables.Attendance:
                return CsvExport.File($"{name}-attendance", Month.Projects.SelectMany(p => p.Days.Select(d => new WorkerDayRow(p.ProjectId, d))), AttendanceColumns);
            case Tables.Payouts:
                return CsvExport.File($"{name}-payouts", Month.Payouts, PayoutColumns);
            case Tables.Alerts:
                // The same columns as the alert list's download.
                var links = ContractorLinks.From(registry);
                return CsvExport.File($"{name}-alerts", alerts.Query(new AlertFilter(WorkerId: id, WageMonth: Month.Month)).Select(a => AlertRow.From(a, links)), AlertsModel.Columns);
            default:
                return NotFound();
        }
    }

    private bool Load(string id, string? month)
    {
        var wageMonth = month is not null && YearMonth.TryParse(month, out var chosen) ? chosen : new YearMonth(live.Today.Year, live.Today.Month);
        if (AlertsFeature.WorkerMonth(id, wageMonth, registry, live, alerts) is not { } found)
        {
            return false;
        }

        Id = id;
        Month = found;
        Attended = found.Projects.SelectMany(p => p.Days).GroupBy(d => d.Date).ToDictionary(g => g.Key, g => g.First());
        var weeks = new List<DateOnly?[]>();
        var week = new DateOnly?[7];
        for (var day = wageMonth.First; day <= wageMonth.Last; day = day.AddDays(1))
        {
            var column = ((int)day.DayOfWeek + 6) % 7; // Monday first
            week[column] = day;
            if (column == 6)
            {
                weeks.Add(week);
                week = new DateOnly?[7];
            }
        }

        if (week.Any(d => d is not null))
        {
            weeks.Add(week);
        }

        Weeks = weeks;
        return true;
    }
}
