using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SiteHub.Hub.WebUi.Pages;

/// <summary>Signs out (POST only, with antiforgery) and records it.</summary>
public sealed class LogoutModel(UiUsers users) : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        users.Record(HttpContext.UserName(), "logout", "", HttpContext.Remote());
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Redirect("/login");
    }
}
