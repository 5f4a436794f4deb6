using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SiteHub.Platform.Web;

/// <summary>What differs between the gateway's and the hub's web login.</summary>
/// <param name="CookiePrefix">Prefix of the login and antiforgery cookies (<c>.SiteHub</c>, <c>.SiteHub.Hub</c>): two apps on one host keep their own.</param>
/// <param name="SessionTimeout">How long a login lasts without activity.</param>
public sealed record WebUiLoginSettings(string CookiePrefix, Func<IServiceProvider, TimeSpan> SessionTimeout);

/// <summary>
/// The web UIs' login, shared by the gateway and the hub, without MVC (the gateway renders its
/// pages without it; the hub's Razor Pages add it in <see cref="WebUiPages"/>): Chinese and English
/// text, antiforgery, and one authentication scheme that picks HTTP Basic for scripts (an
/// <c>Authorization</c> header, or <c>/api</c>, <c>/metrics</c>, <c>/health</c>) and the login
/// cookie for people; and what the login, logout and language forms do.
/// </summary>
public static class WebUiLogin
{
    /// <summary>The scheme that picks Basic for scripts and the login cookie for people.</summary>
    public const string SchemeName = "SiteHub";

    /// <summary>
    /// Registers the UI text, antiforgery and the cookie login. Requests under <c>/ui</c> (the JSON
    /// and the live feed the pages read) answer 401 instead of redirecting to the login page; a page
    /// the user's role may not open answers 403.
    /// </summary>
    public static IHostApplicationBuilder AddWebUiLogin(this IHostApplicationBuilder builder, WebUiLoginSettings settings)
    {
        builder.Services.AddLocalization();
        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = settings.CookiePrefix + ".Antiforgery";
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.HeaderName = "RequestVerificationToken";
        });

        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = SchemeName;
                options.DefaultChallengeScheme = SchemeName;
            })
            .AddPolicyScheme(SchemeName, "Basic for scripts, cookie for people", options =>
                options.ForwardDefaultSelector = context =>
                    context.Request.Headers.Authorization.Count > 0 || IsScriptPath(context.Request.Path)
                        ? BasicAuthenticationHandler.SchemeName
                        : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.Cookie.Name = settings.CookiePrefix + ".Login";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                // Site LANs often have no TLS: the cookie is Secure whenever the request was.
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.LoginPath = "/login";
                options.LogoutPath = "/logout";
                options.SlidingExpiration = true;
                options.Events.OnRedirectToLogin = context =>
                {
                    // Scripts get a status, not a login page to parse.
                    if (context.Request.Path.StartsWithSegments("/ui"))
                    {
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        return Task.CompletedTask;
                    }

                    context.Response.Redirect(context.RedirectUri);
                    return Task.CompletedTask;
                };
                options.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    context.Response.ContentType = "text/plain; charset=utf-8";
                    return context.Response.WriteAsync("403 无权访问 · Forbidden: your role may not open this page.");
                };
            });
        builder.Services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<IServiceProvider>((cookie, provider) => cookie.ExpireTimeSpan = settings.SessionTimeout(provider));
        return builder;
    }

    private static bool IsScriptPath(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/health");

    /// <summary>The signed-in user's name for the audit log.</summary>
    public static string UserName(this HttpContext context) => context.User.Identity?.Name ?? "?";

    /// <summary>The remote address for the audit log.</summary>
    public static string? Remote(this HttpContext context) => context.Connection.RemoteIpAddress?.ToString();

    /// <summary>
    /// The login form: verified against the stored hash, locked after repeated failures, audited;
    /// the role goes into the cookie. Returns null when signed in, else the UI text key of what went
    /// wrong (<c>LockedOut</c>, <c>WrongPassword</c>). A blank user name is the admin's.
    /// </summary>
    public static async Task<string?> SignInAsync(HttpContext context, WebUserStore users, string? user, string? password)
    {
        var name = string.IsNullOrWhiteSpace(user) ? WebUserStore.AdminName : user.Trim();
        var (result, role) = users.Login(name, password ?? "", context.Remote());
        switch (result)
        {
            case LoginResult.Accepted:
                var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role!)], CookieAuthenticationDefaults.AuthenticationScheme);
                await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
                return null;
            case LoginResult.LockedOut:
                return "LockedOut";
            default:
                return "WrongPassword";
        }
    }

    /// <summary>Signs out and records it.</summary>
    public static async Task SignOutAsync(HttpContext context, WebUserStore users)
    {
        users.Record(context.UserName(), "logout", "", context.Remote());
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    /// <summary>Sets the language cookie (for a year) to <paramref name="culture"/>, or to Chinese when it is not one of <see cref="WebUiBasics.Cultures"/>.</summary>
    public static void ChooseCulture(HttpResponse response, string? culture)
    {
        var chosen = WebUiBasics.Cultures.FirstOrDefault(c => c.Name == culture) ?? WebUiBasics.Cultures[0];
        response.Cookies.Append(
            WebUiBasics.CultureCookie,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)),
            new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), HttpOnly = true, SameSite = SameSiteMode.Strict, IsEssential = true });
    }

    /// <summary>
    /// <paramref name="url"/> when it stays on this site, else <c>/</c>: no open redirect through a
    /// <c>returnUrl</c>. The rule of ASP.NET Core's <c>IsLocalUrl</c> (MVC's, which the gateway does
    /// not load): <c>/</c> or <c>~/</c> and a path, not <c>//</c> or <c>/\</c>, no control characters.
    /// </summary>
    public static string LocalOrHome(string? url) => IsLocalUrl(url) ? url! : "/";

    private static bool IsLocalUrl(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return false;
        }

        var rootLength = url[0] == '/' ? 1 : url.StartsWith("~/", StringComparison.Ordinal) ? 2 : 0;
        if (rootLength == 0)
        {
            return false;
        }

        if (url.Length == rootLength)
        {
            return true;
        }

        return url[rootLength] is not ('/' or '\\') && !url.AsSpan(rootLength).ContainsAnyInRange('\0', '\u001f') && !url.AsSpan(rootLength).ContainsAnyInRange('\u007f', '\u009f');
    }
}

/// <summary>Masks person ids for display (pure): a worker's id is never shown in clear.</summary>
public static class PersonIdMask
{
    /// <summary>Keeps the first and last two characters of ids longer than 6 (<c>W1****89</c>), else only the first; null or empty stays empty.</summary>
    public static string Mask(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return "";
        }

        if (id.Length <= 6)
        {
            return id[..1] + new string('*', id.Length - 1);
        }

        return string.Concat(id.AsSpan(0, 2), new string('*', id.Length - 4), id.AsSpan(id.Length - 2));
    }
}

/// <summary>Registration of a web UI's users.</summary>
public static class WebUserStoreExtensions
{
    /// <summary>One <see cref="WebUserStore"/> for the app, made from settings the app reads from its own options.</summary>
    public static IServiceCollection AddWebUserStore(this IServiceCollection services, Func<IServiceProvider, WebUserStoreSettings> settings) =>
        services.AddSingleton(provider => new WebUserStore(settings(provider), provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<WebUserStore>>()));
}
