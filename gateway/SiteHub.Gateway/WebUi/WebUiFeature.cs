using System.Globalization;
using System.Net.ServerSentEvents;
using LiteDB;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.FileProviders;
using SiteHub.Gateway.Commands;
using SiteHub.Gateway.Outbox;
using SiteHub.Platform.Web;

namespace SiteHub.Gateway.WebUi;

/// <summary>
/// The site admin's web pages (Razor Pages under <c>/</c>), their live feed (<c>/ui/events</c>)
/// and JSON reads (<c>/ui/api/…</c>), cookie login with lock-out and an audit log, Chinese by
/// default with English by cookie, and security headers on every response.
/// </summary>
public static class WebUiFeature
{
    /// <summary>The scheme that picks Basic for scripts (an Authorization header, or <c>/api</c>) and the login cookie for people.</summary>
    public const string SchemeName = "SiteHub";

    /// <summary>The cookie that holds the chosen language.</summary>
    public const string CultureCookie = WebUiBasics.CultureCookie;

    public static readonly CultureInfo[] Cultures = WebUiBasics.Cultures;

    public static IHostApplicationBuilder AddWebUi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebUiOptions>().BindConfiguration(WebUiOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.LockoutDuration > TimeSpan.Zero, "WebUi:LockoutDuration must be positive")
            .Validate(o => o.SessionTimeout > TimeSpan.Zero, "WebUi:SessionTimeout must be positive")
            .Validate(o => o.AdvertisedHost is null || Uri.CheckHostName(o.AdvertisedHost) != UriHostNameType.Unknown, "WebUi:AdvertisedHost must be a host name or IP address")
            .ValidateOnStart();
        builder.Services.AddSingleton<UiAccounts>();
        builder.Services.AddSingleton<QuarantineReplay>();
        builder.Services.AddSingleton<LiveFeed>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<LiveFeed>());
        builder.Services.AddLocalization();
        // Chinese text stays readable in the HTML source; markup characters are still encoded.
        builder.Services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        builder.Services.AddRazorPages(options =>
        {
            options.RootDirectory = "/WebUi/Pages";
            options.Conventions.AllowAnonymousToPage("/Login");
        })
        // Named explicitly: when a test or the demo hosts the gateway, the entry assembly is not this one.
        .AddApplicationPart(typeof(WebUiFeature).Assembly)
        // No page reads jQuery-style keys ("a[b]"); their parser throws on a key like "a[" (a 500
        // from any form post or query string naming one), so they are not read at all.
        .AddMvcOptions(options =>
        {
            options.ValueProviderFactories.RemoveType<JQueryFormValueProviderFactory>();
            options.ValueProviderFactories.RemoveType<JQueryQueryStringValueProviderFactory>();
        });
        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = ".SiteHub.Antiforgery";
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
                options.Cookie.Name = ".SiteHub.Login";
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
            });
        builder.Services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<Microsoft.Extensions.Options.IOptions<WebUiOptions>>((cookie, ui) => cookie.ExpireTimeSpan = ui.Value.SessionTimeout);
        return builder;
    }

    private static bool IsScriptPath(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/health");

    /// <summary>Security headers, the pages' own scripts and styles, and the language; before authentication.</summary>
    public static WebApplication UseWebUi(this WebApplication app)
    {
        app.UseSiteHubWebUi(typeof(WebUiFeature).Assembly, "SiteHub.Gateway.WebUi.Assets");
        return app;
    }

    /// <summary>The pages, the live feed and the JSON the pages read.</summary>
    public static IEndpointRouteBuilder MapWebUi(this IEndpointRouteBuilder app)
    {
        app.MapRazorPages();
        var ui = app.MapGroup("/ui");
        ui.MapGet("/events", (LiveFeed feed, IHostApplicationLifetime lifetime, CancellationToken requestAborted) =>
            TypedResults.ServerSentEvents(Until(feed, requestAborted, lifetime.ApplicationStopping)));
        ui.MapGet("/api/devices", (LiveFeed feed) => TypedResults.Json(feed.Devices(), WebUiJsonContext.Default.IReadOnlyListDeviceRow));
        ui.MapGet("/api/pending", (LiveFeed feed) => TypedResults.Json(feed.Pending(), WebUiJsonContext.Default.IReadOnlyListPendingRow));
        ui.MapGet("/api/punches", (LiveFeed feed) => TypedResults.Json(feed.RecentPunches(), WebUiJsonContext.Default.IReadOnlyListPunchRow));
        ui.MapGet("/api/uplink", (LiveFeed feed) => TypedResults.Json(feed.Uplink(), WebUiJsonContext.Default.UplinkPanel));
        ui.MapGet("/api/devices/{sn}/commands", (string sn, CommandQueue queue) =>
            TypedResults.Json((IReadOnlyList<CommandRow>)queue.ForDevice(sn, 50).Select(CommandRow.From).ToList(), WebUiJsonContext.Default.IReadOnlyListCommandRow));
        return app;
    }

    // The stream ends when the page goes away or the gateway stops (an open page must not hold up shutdown).
    private static IAsyncEnumerable<SseItem<string>> Until(LiveFeed feed, CancellationToken requestAborted, CancellationToken stopping) =>
        feed.StreamAsync(CancellationTokenSource.CreateLinkedTokenSource(requestAborted, stopping));

    /// <summary>The signed-in user's name for the audit log.</summary>
    public static string UserName(this HttpContext context) => context.User.Identity?.Name ?? "?";

    /// <summary>Parses a quarantine id from a form; null when it is not one.</summary>
    public static ObjectId? ParseObjectId(string? id)
    {
        try
        {
            return string.IsNullOrEmpty(id) ? null : new ObjectId(id);
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
