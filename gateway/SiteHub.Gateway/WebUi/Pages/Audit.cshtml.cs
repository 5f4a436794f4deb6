using Microsoft.AspNetCore.Mvc.RazorPages;
using SiteHub.Platform.Web;

namespace SiteHub.Gateway.WebUi.Pages;

/// <summary>The audit log: logins and every change, with user and time.</summary>
public sealed class AuditModel(WebUserStore accounts) : PageModel
{
    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];

    public void OnGet() => Entries = accounts.Audit(500);
}
