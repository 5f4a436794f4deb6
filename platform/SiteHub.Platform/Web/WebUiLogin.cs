using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SiteHub.Platform.Web;

/// <summary>What differs between the gateway's and the hub's web login.</summary>
/// <param name="CookiePrefix">Prefix of the login and antiforgery cookies (<c>.SiteHub</c>, <c>.SiteHub.Hub</c>): two apps on one host keep their own.</param>
/// <param name="SessionTimeout">How long a login lasts without activity.</param>
public sealed record WebUiLoginSettings(string CookiePrefix, Func<IServiceProvider, TimeSpan> SessionTimeout);

/// <summary>
/// The web UIs' pages and login, shared by the gateway and the hub: Razor Pages under
/// <c>/WebUi/Pages</c> of the UI's assembly, Chinese and English text, antiforgery, and one
/// authentication scheme that picks HTTP Basic for scripts (an <c>Authorization</c> header, or
/// <c>/api</c>, <c>/metrics</c>, <c>/health</c>) and the login cookie for people.
/// </summary>
public static class WebUiLogin
{
    /// <summary>The scheme that picks Basic for scripts and the login cookie for people.</summary>
    public const string SchemeName = "SiteHub";

    /// <summary>
    /// Registers the pages of <paramref name="pagesAssembly"/> (the login page open to all), their
    /// text, antiforgery and the cookie login. Pages under <c>/ui</c> (the JSON and the live feed
    /// the pages read) answer 401 instead of redirecting to the login page; a page the user's role
    /// may not open answers 403.
    /// </summary>
    public static IHostApplicationBuilder AddWebUiPagesWithLogin(this IHostApplicationBuilder builder, System.Reflection.Assembly pagesAssembly, WebUiLoginSettings settings)
    {
        builder.Services.AddLocalization();
        // Chinese text stays readable in the HTML source; markup characters are still encoded.
        builder.Services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        builder.Services.AddRazorPages(options =>
        {
            options.RootDirectory = "/WebUi/Pages";
            options.Conventions.AllowAnonymousToPage("/Login");
        })
        // Named explicitly: when a test or the demo hosts the app, the entry assembly is not the UI's.
        .AddApplicationPart(pagesAssembly)
        // No page reads jQuery-style keys ("a[b]"); their parser throws on a key like "a[" (a 500
        // from any form post or query string naming one), so they are not read at all.
        .AddMvcOptions(options =>
        {
            options.ValueProviderFactories.RemoveType<JQueryFormValueProviderFactory>();
            options.ValueProviderFactories.RemoveType<JQueryQueryStringValueProviderFactory>();
        });
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
}

/// <summary>The login page: verified against the stored hash, locked after repeated failures, audited; the role goes into the cookie.</summary>
public class WebLoginPageModel(WebUserStore users) : PageModel
{
    /// <summary>The UI text key of what went wrong, or null.</summary>
    public string? Problem { get; private set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public async Task<IActionResult> OnPostAsync(string? user, string? password)
    {
        var name = string.IsNullOrWhiteSpace(user) ? WebUserStore.AdminName : user.Trim();
        var (result, role) = users.Login(name, password ?? "", HttpContext.Remote());
        switch (result)
        {
            case LoginResult.Accepted:
                var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role!)], CookieAuthenticationDefaults.AuthenticationScheme);
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

/// <summary>Signs out (POST only, with antiforgery) and records it.</summary>
public class WebLogoutPageModel(WebUserStore users) : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        users.Record(HttpContext.UserName(), "logout", "", HttpContext.Remote());
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Redirect("/login");
    }
}

/// <summary>Switches the language (a cookie for a year); also before login.</summary>
[AllowAnonymous]
public class WebLanguagePageModel : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public IActionResult OnPost(string? culture, string? returnUrl)
    {
        var chosen = WebUiBasics.Cultures.FirstOrDefault(c => c.Name == culture) ?? WebUiBasics.Cultures[0];
        Response.Cookies.Append(
            WebUiBasics.CultureCookie,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)),
            new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), HttpOnly = true, SameSite = SameSiteMode.Strict, IsEssential = true });
        return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl! : "/");
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
