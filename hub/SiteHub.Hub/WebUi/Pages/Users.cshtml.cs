using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SiteHub.Hub.WebUi.Exports;
using SiteHub.Platform.Web;

namespace SiteHub.Hub.WebUi.Pages;

/// <summary>Admins add users with a role (or change one's role and password).</summary>
[Authorize(Roles = UiRoles.Admin)]
public sealed class UsersModel(WebUserStore users) : PageModel
{
    /// <summary>The user list as CSV: never the password hash.</summary>
    public static readonly IReadOnlyList<CsvColumn<WebUser>> Columns =
    [
        new("user", u => u.Name),
        new("role", u => u.Role),
        new("locked_until", u => CsvExport.Time(u.LockedUntil)),
        new("created_at", u => CsvExport.Time(u.CreatedAt)),
        new("created_by", u => u.CreatedBy),
    ];

    public IReadOnlyList<WebUser> All { get; private set; } = [];

    public string? Problem { get; private set; }

    public void OnGet() => All = users.All();

    public IActionResult OnGetCsv() => CsvExport.File("users", users.All(), Columns);

    public IActionResult OnPost(string? name, string? role, string? password)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64 || !UiRoles.IsKnown(role) || password is not { Length: >= 8 })
        {
            Problem = "BadUser";
            All = users.All();
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        users.Save(name.Trim(), role!, password, HttpContext.UserName(), HttpContext.Remote());
        return RedirectToPage();
    }
}
