using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SiteHub.Platform.Web;

namespace SiteHub.Hub.WebUi.Pages;

/// <summary>Admins add users with a role (or change one's role and password).</summary>
[Authorize(Roles = UiRoles.Admin)]
public sealed class UsersModel(WebUserStore users) : PageModel
{
    public IReadOnlyList<WebUser> All { get; private set; } = [];

    public string? Problem { get; private set; }

    public void OnGet() => All = users.All();

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
