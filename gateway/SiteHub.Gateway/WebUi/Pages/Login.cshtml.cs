using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SiteHub.Gateway.WebUi.Pages;

/// <summary>The site admin's login: verified against the stored hash, locked after repeated failures, audited.</summary>
public sealed class LoginModel(UiAccounts accounts) : PageModel
{
    /// <summary>The UI text key of what went wrong, or null.</summary>
    public string? Problem { get; private set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string? user, string? password)
    {
        var name = string.IsNullOrWhiteSpace(user) ? UiAccounts.AdminName : user.Trim();
        switch (accounts.Login(name, password ?? "", HttpContext.Connection.RemoteIpAddress?.ToString()))
        {
            case LoginResult.Accepted:
                var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, "admin")], CookieAuthenticationDefaults.AuthenticationScheme);
                await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
                return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
            case LoginResult.LockedOut:
                Problem = "LockedOut";
                break;
            default:
                Problem = "WrongPassword";
                break;
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Page();
    }
}
