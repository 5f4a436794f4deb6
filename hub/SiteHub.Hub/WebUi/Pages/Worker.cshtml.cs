using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SiteHub.Hub.Alerts;
using SiteHub.Hub.Reconciliation;
using SiteHub.Hub.Registry;

namespace SiteHub.Hub.WebUi.Pages;

/// <summary>A worker's month: a calendar of attended days beside the month's payouts and alerts (the figures of <c>GET /api/workers/{id}/months/{month}</c>).</summary>
public sealed class WorkerModel(RegistryStore registry, LiveReconciler live, AlertStore alerts) : PageModel
{
    public string Id { get; private set; } = "";

    public WorkerMonthJson? Month { get; private set; }

    public IReadOnlyDictionary<DateOnly, AttendanceDayJson> Attended { get; private set; } = new Dictionary<DateOnly, AttendanceDayJson>();

    public IReadOnlyList<DateOnly?[]> Weeks { get; private set; } = [];

    public IReadOnlyList<string> WeekDays { get; } =
        [.. Enumerable.Range(1, 7).Select(i => CultureInfo.CurrentUICulture.DateTimeFormat.GetShortestDayName((DayOfWeek)(i % 7)))];

    public IActionResult OnGet(string id, string? month)
    {
        var wageMonth = month is not null && YearMonth.TryParse(month, out var chosen) ? chosen : new YearMonth(live.Today.Year, live.Today.Month);
        if (AlertsFeature.WorkerMonth(id, wageMonth, registry, live, alerts) is not { } found)
        {
            return NotFound();
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
        return Page();
    }
}
