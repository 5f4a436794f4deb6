using System.Globalization;
using System.Net.ServerSentEvents;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.FileProviders;
using SiteHub.Platform.Web;

namespace SiteHub.Hub.WebUi;

/// <summary>
/// The central staff's web pages (Razor Pages under <c>/</c>), their live feed (<c>/ui/events</c>)
/// and JSON reads (<c>/ui/api/…</c>): cookie login with roles (viewer, officer, admin), lock-out and
/// an audit log; Chinese by default with English by cookie; security headers on every response.
/// Scripts keep HTTP Basic on <c>/api</c>.
/// </summary>
public static class HubUiFeature
{
    /// <summary>The scheme that picks Basic for scripts (an Authorization header, or <c>/api</c>) and the login cookie for people.</summary>
    public const string SchemeName = "SiteHub";

    /// <summary>The cookie that holds the chosen language.</summary>
    public const string CultureCookie = WebUiBasics.CultureCookie;

    public static readonly CultureInfo[] Cultures = WebUiBasics.Cultures;

    public static IHostApplicationBuilder AddHubUi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<UiUsers>();
        builder.Services.AddSingleton<HubLiveFeed>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<HubLiveFeed>());
        builder.Services.AddLocalization();
        // Chinese text stays readable in the HTML source; markup characters are still encoded.
        builder.Services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        builder.Services.AddRazorPages(options =>
        {
            options.RootDirectory = "/WebUi/Pages";
            options.Conventions.AllowAnonymousToPage("/Login");
        })
        .AddApplicationPart(typeof(HubUiFeature).Assembly)
        // No page reads jQuery-style keys ("a[b]"); their parser throws on a key like "a[" (a 500
        // from any form post or query string naming one), so they are not read at all.
        .AddMvcOptions(options =>
        {
            options.ValueProviderFactories.RemoveType<JQueryFormValueProviderFactory>();
            options.ValueProviderFactories.RemoveType<JQueryQueryStringValueProviderFactory>();
        });
        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = ".SiteHub.Hub.Antiforgery";
            options.Cookie.SameSite = SameSiteMode.Strict;
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
                options.Cookie.Name = ".SiteHub.Hub.Login";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.LoginPath = "/login";
                options.LogoutPath = "/logout";
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
                options.Events.OnRedirectToLogin = context =>
                {
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
                    return Task.CompletedTask;
                };
            });
        return builder;
    }

    private static bool IsScriptPath(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/health");

    /// <summary>Security headers, the pages' own script and styles, and the language; before authentication.</summary>
    public static WebApplication UseHubUi(this WebApplication app)
    {
        app.UseSiteHubWebUi(typeof(HubUiFeature).Assembly, "SiteHub.Hub.WebUi.Assets");
        return app;
    }

    /// <summary>The pages, the live feed and the JSON the pages read.</summary>
    public static IEndpointRouteBuilder MapHubUi(this IEndpointRouteBuilder app)
    {
        app.MapRazorPages();
        var ui = app.MapGroup("/ui");
        ui.MapGet("/events", (HubLiveFeed feed, IHostApplicationLifetime lifetime, CancellationToken requestAborted) =>
            TypedResults.ServerSentEvents(feed.StreamAsync(CancellationTokenSource.CreateLinkedTokenSource(requestAborted, lifetime.ApplicationStopping))));
        ui.MapGet("/api/sites", (HubLiveFeed feed) => TypedResults.Json(feed.Sites(), HubUiJsonContext.Default.IReadOnlyListSiteRow));
        return app;
    }

    /// <summary>The signed-in user's name for the audit log.</summary>
    public static string UserName(this HttpContext context) => context.User.Identity?.Name ?? "?";

    public static string? Remote(this HttpContext context) => context.Connection.RemoteIpAddress?.ToString();
}

/// <summary>The web UI's JSON (camelCase, as the page script reads it).</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SiteRow))]
[JsonSerializable(typeof(AlertRow))]
[JsonSerializable(typeof(IReadOnlyList<SiteRow>))]
public sealed partial class HubUiJsonContext : JsonSerializerContext;
