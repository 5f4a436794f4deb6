using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace SiteHub.Gateway.WebUi.Pages;

/// <summary>What a form's redirect shows on the next page, once: a notice, or a device's new secret.</summary>
/// <param name="Message">A notice (a command queued, a replay's outcome).</param>
/// <param name="Secret">A device's new secret, shown on this one response only.</param>
public sealed record Flash(string? Message, string? Secret = null)
{
    /// <summary>Nothing to show.</summary>
    public static readonly Flash None = new(Message: null);

    private const string Cookie = ".SiteHub.Flash";
    private const string Purpose = "SiteHub.Gateway.WebUi.Flash";

    /// <summary>
    /// Keeps the flash for the next request in a cookie encrypted with the app's data-protection keys
    /// (what Razor Pages' TempData did: the secret is never readable by the browser or a proxy).
    /// </summary>
    public void Keep(HttpContext context)
    {
        var fields = new Dictionary<string, string?> { ["m"] = Message, ["s"] = Secret };
        var text = QueryString.Create(fields.Where(f => f.Value is not null)).ToUriComponent();
        context.Response.Cookies.Append(Cookie, Protector(context).Protect(text), Options(context));
    }

    /// <summary>The flash kept by the last response, removed so a reload no longer shows it; empty when none (or not readable).</summary>
    public static Flash Take(HttpContext context)
    {
        if (context.Request.Cookies[Cookie] is not { } protectedText)
        {
            return None;
        }

        context.Response.Cookies.Delete(Cookie, Options(context));
        try
        {
            var fields = QueryHelpers.ParseQuery(Protector(context).Unprotect(protectedText));
            return new Flash(fields.GetValueOrDefault("m").FirstOrDefault(), fields.GetValueOrDefault("s").FirstOrDefault());
        }
        catch (CryptographicException)
        {
            return None;
        }
    }

    private static IDataProtector Protector(HttpContext context) =>
        context.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose);

    private static CookieOptions Options(HttpContext context) =>
        new() { HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps, IsEssential = true, Path = "/" };
}
