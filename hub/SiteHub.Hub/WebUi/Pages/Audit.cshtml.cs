using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SiteHub.Hub.WebUi.Pages;

/// <summary>The audit log: logins and every change, with user and time.</summary>
public sealed class AuditModel(UiUsers users) : PageModel
{
    public IReadOnlyList<UiAuditEntry> Entries { get; private set; } = [];

    public void OnGet() => Entries = users.Audit(500);
}
