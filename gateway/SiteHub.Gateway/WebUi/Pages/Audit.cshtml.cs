using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SiteHub.Gateway.WebUi.Pages;

/// <summary>The audit log: logins and every change, with user and time.</summary>
public sealed class AuditModel(UiAccounts accounts) : PageModel
{
    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];

    public void OnGet() => Entries = accounts.Audit(500);
}
