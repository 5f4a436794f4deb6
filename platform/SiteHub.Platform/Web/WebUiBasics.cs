using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.FileProviders;

namespace SiteHub.Platform.Web;

/// <summary>What the gateway's and the hub's web UIs share: security headers, their embedded assets, the language.</summary>
public static class WebUiBasics
{
    /// <summary>The cookie that holds the chosen language.</summary>
    public const string CultureCookie = ".SiteHub.Culture";

    /// <summary>Chinese first (the default), then English.</summary>
    public static readonly CultureInfo[] Cultures = [new("zh-CN"), new("en")];

    /// <summary>
    /// Security headers on every response (scripts, styles and frames only from the app itself), the
    /// UI's scripts and styles served from <paramref name="assetsAssembly"/> at <c>/ui/assets</c>
    /// (embedded: nothing to deploy, no CDN — sites are often offline), and the language from its cookie.
    /// </summary>
    public static WebApplication UseSiteHubWebUi(this WebApplication app, System.Reflection.Assembly assetsAssembly, string assetsNamespace)
    {
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                return Task.CompletedTask;
            });
            return next(context);
        });

        app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = "/ui/assets",
            FileProvider = new EmbeddedFileProvider(assetsAssembly, assetsNamespace),
        });

        var localization = new RequestLocalizationOptions { DefaultRequestCulture = new RequestCulture(Cultures[0]) };
        localization.SupportedCultures = Cultures;
        localization.SupportedUICultures = Cultures;
        localization.RequestCultureProviders = [new CookieRequestCultureProvider { CookieName = CultureCookie }];
        app.UseRequestLocalization(localization);
        return app;
    }
}
