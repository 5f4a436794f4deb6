using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SiteHub.Gateway.WebUi.Pages;

/// <summary>Signs out (POST only, with antiforgery) and records it.</summary>
public sealed class LogoutModel(UiAccounts accounts) : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        accounts.Record(HttpContext.UserName(), "logout", "", HttpContext.Connection.RemoteIpAddress?.ToString());
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Redirect("/login");
    }
}
