using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SiteHub.Hub.WebUi.Pages;

/// <summary>The login: verified against the stored hash, locked after repeated failures, audited; the role goes into the cookie.</summary>
public sealed class LoginModel(UiUsers users) : PageModel
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
        var name = string.IsNullOrWhiteSpace(user) ? UiUsers.AdminName : user.Trim();
        var (result, role) = users.Login(name, password ?? "", HttpContext.Remote());
        switch (result)
        {
            case UiLoginResult.Accepted:
                var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role!)], CookieAuthenticationDefaults.AuthenticationScheme);
                await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
                return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
            case UiLoginResult.LockedOut:
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
