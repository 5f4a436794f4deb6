using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SiteHub.Hub.Alerts;
using SiteHub.Hub.Reconciliation;
using SiteHub.Hub.Registry;
using SiteHub.Hub.WebUi.Exports;
using SiteHub.Platform.Web;

namespace SiteHub.Hub.WebUi.Pages;

/// <summary>
/// One alert with the figures behind it and the worker's payouts of that month; officers and admins
/// acknowledge or resolve it with a comment (the same lifecycle as the REST API). Viewers see no
/// buttons and get 403 on the POST.
/// </summary>
public sealed class AlertModel(AlertStore alerts, LiveReconciler live, WebUserStore users) : PageModel
{
    public static readonly IReadOnlyList<CsvColumn<AlertEventDoc>> HistoryColumns =
    [
        new("at", h => CsvExport.Time(h.At)),
        new("action", h => h.Action),
        new("user", h => h.User),
        new("comment", h => NumberScrubber.Scrub(h.Comment)),
        new("expected", h => CsvExport.Money(h.Expected)),
        new("paid", h => CsvExport.Money(h.Paid)),
        new("days", h => CsvExport.Number(h.Days)),
        new("detail", h => NumberScrubber.Scrub(h.Detail)),
    ];

    public AlertDoc Alert { get; private set; } = new();

    public IReadOnlyList<PayoutJson> Payouts { get; private set; } = [];

    public bool CanAct => UiRoles.CanAct(User);

    public string? Problem { get; private set; }

    public IActionResult OnGet(long id) => Load(id) ? Page() : NotFound();

    /// <summary>The alert's payouts (<c>table=payouts</c>) or its history (<c>table=history</c>) as CSV.</summary>
    public IActionResult OnGetCsv(long id, string? table) => !Load(id) ? NotFound() : table switch
    {
        "payouts" => CsvExport.File($"alert-{id}-payouts", Payouts, WorkerModel.PayoutColumns),
        "history" => CsvExport.File($"alert-{id}-history", Alert.History, HistoryColumns),
        _ => NotFound(),
    };

    public IActionResult OnPostAcknowledge(long id, string? comment) => Change(id, comment, "alert-acknowledged", AlertLifecycle.Acknowledge);

    public IActionResult OnPostResolve(long id, string? comment) => Change(id, comment, "alert-resolved", AlertLifecycle.Resolve);

    private IActionResult Change(long id, string? comment, string action, Func<AlertDoc, string, string?, DateTimeOffset, AlertDoc> step)
    {
        if (!CanAct)
        {
            return StatusCode(StatusCodes.Status403Forbidden);
        }

        if (comment is { Length: > 2000 })
        {
            comment = comment[..2000];
        }

        var user = HttpContext.UserName();
        var scrubbed = NumberScrubber.Scrub(comment);
        try
        {
            if (alerts.Change(id, (alert, now) => step(alert, user, scrubbed, now)) is null)
            {
                return NotFound();
            }
        }
        catch (InvalidOperationException ex)
        {
            Problem = ex.Message;
            Load(id);
            Response.StatusCode = StatusCodes.Status409Conflict;
            return Page();
        }

        users.Record(user, action, $"alert {id}: {scrubbed}", HttpContext.Remote());
        return RedirectToPage(new { id });
    }

    private bool Load(long id)
    {
        if (alerts.Find(id) is not { } alert)
        {
            return false;
        }

        Alert = alert;
        if (alert.WorkerId is { } worker && alert.ProjectId is { } project && alert.WageMonth is { } month && YearMonth.TryParse(month, out var wageMonth))
        {
            Payouts = live.Query(engine => engine.Ledger.PayoutsOf(worker, project, wageMonth, engine.AsOf).Select(p => new PayoutJson(
                p.Payout.TxnId, project, p.Payout.Amount, p.Succeeded ? "SUCCESS" : "FAILED", p.PaidDate, p.Payout.PayerAccountMasked, p.FromWageAccount,
                p.Payout.PayeeName, p.Payout.PayeeIdMasked, p.Payout.PayeeAccountMasked, p.Link == PayoutLink.IdNumber ? "id_number" : "bank_account")).ToList());
        }

        return true;
    }
}
