using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using SiteHub.Gateway.Outbox;
using SiteHub.Platform.Web;

namespace SiteHub.Gateway.WebUi.Pages;

/// <summary>The payloads that could not be decoded, with reason and raw content, and a replay after a fix.</summary>
public sealed class QuarantineModel(OutboxStore outbox, QuarantineReplay replay, WebUserStore accounts, IStringLocalizer<UiText> text) : PageModel
{
    public IReadOnlyList<QuarantinedPayload> Entries { get; private set; } = [];

    public string? Message { get; private set; }

    /// <summary>The start of the raw payload as text (Razor encodes it; invalid UTF-8 shows as U+FFFD).</summary>
    public static string Preview(QuarantinedPayload q) =>
        Encoding.UTF8.GetString(q.Raw, 0, Math.Min(q.Raw.Length, 4096)) + (q.Raw.Length > 4096 || q.Truncated ? " …" : "");

    public void OnGet()
    {
        Message = TempData["message"] as string;
        Entries = outbox.Quarantined(200);
    }

    public async Task<IActionResult> OnPostReplayAsync(string? id)
    {
        if (WebUiFeature.ParseObjectId(id) is not { } objectId)
        {
            return BadRequest();
        }

        var result = await replay.ReplayAsync(objectId, HttpContext.RequestAborted);
        if (result.Outcome == ReplayOutcome.NotFound)
        {
            return NotFound();
        }

        accounts.Record(HttpContext.UserName(), "quarantine-replayed", $"{id}: {result.Outcome} {result.Punches} {result.Reason}", HttpContext.Remote());
        TempData["message"] = result.Outcome == ReplayOutcome.Replayed
            ? text["ReplayOk", result.Punches].Value
            : text["ReplayFailed", result.Reason ?? ""].Value;
        return Redirect("/quarantine");
    }
}
