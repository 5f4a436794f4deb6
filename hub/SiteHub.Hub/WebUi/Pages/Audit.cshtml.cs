using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SiteHub.Hub.Registry;
using SiteHub.Hub.WebUi.Exports;
using SiteHub.Platform.Web;

namespace SiteHub.Hub.WebUi.Pages;

/// <summary>The audit log: logins and every change, with user and time.</summary>
public sealed class AuditModel(WebUserStore users) : PageModel
{
    /// <summary>Most lines shown (and exported).</summary>
    public const int MaxEntries = 500;

    public static readonly IReadOnlyList<CsvColumn<AuditEntry>> Columns =
    [
        new("at", a => CsvExport.Time(a.At)),
        new("user", a => a.User),
        new("action", a => a.Action),
        new("detail", a => NumberScrubber.Scrub(a.Detail)),
        new("remote", a => a.Remote),
    ];

    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];

    public void OnGet() => Entries = users.Audit(MaxEntries);

    public IActionResult OnGetCsv() => CsvExport.File("audit", users.Audit(MaxEntries), Columns);
}
