using LiteDB;
using Microsoft.Extensions.Options;
using SiteHub.Gateway.Commands;
using SiteHub.Gateway.Configuration;
using SiteHub.Gateway.Outbox;
using SiteHub.Gateway.WebUi.Pages;
using SiteHub.Platform.Web;

namespace SiteHub.Gateway.WebUi;

/// <summary>
/// The site admin's web pages (<c>/</c>, <c>/devices/{sn}</c>, <c>/roster</c>, <c>/quarantine</c>,
/// <c>/audit</c>, <c>/login</c>: endpoints that write HTML, see <see cref="Pages.Html"/>; no Razor Pages
/// or MVC, which were ~12 MiB of the gateway's memory), their live feed (<c>/ui/events</c>)
/// and JSON reads (<c>/ui/api/…</c>), cookie login with lock-out and an audit log
/// (<see cref="WebUserStore"/>, <c>accounts</c> in <c>ui.db</c>), Chinese by default with English
/// by cookie, and security headers on every response.
/// </summary>
public static class WebUiFeature
{
    public static IHostApplicationBuilder AddWebUi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebUiOptions>().BindConfiguration(WebUiOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.LockoutDuration > TimeSpan.Zero, "WebUi:LockoutDuration must be positive")
            .Validate(o => o.SessionTimeout > TimeSpan.Zero, "WebUi:SessionTimeout must be positive")
            .Validate(o => o.AdvertisedHost is null || Uri.CheckHostName(o.AdvertisedHost) != UriHostNameType.Unknown, "WebUi:AdvertisedHost must be a host name or IP address")
            .ValidateOnStart();
        builder.Services.AddWebUserStore(provider =>
        {
            var ui = provider.GetRequiredService<IOptions<WebUiOptions>>().Value;
            return new WebUserStoreSettings(
                Path.Combine(provider.GetRequiredService<IOptions<GatewayOptions>>().Value.DataPath, "ui.db"), "accounts",
                provider.GetRequiredService<IOptions<AdminOptions>>().Value.Password, "admin", ui.MaxFailedLogins, ui.LockoutDuration);
        });
        builder.Services.AddSingleton<QuarantineReplay>();
        builder.Services.AddLiveEventFeed<LiveFeed>();
        builder.AddWebUiLogin(new WebUiLoginSettings(
            ".SiteHub", provider => provider.GetRequiredService<IOptions<WebUiOptions>>().Value.SessionTimeout));
        builder.Services.LoadDataProtectionKeysOnFirstUse();
        return builder;
    }

    /// <summary>
    /// Leaves the data-protection key ring (what signs and encrypts the login and antiforgery
    /// cookies) to be read, or created, when a cookie is first written or read, instead of by
    /// ASP.NET Core's hosted service at start. Loading it pulls in the XML stack and OpenSSL: about
    /// 9 MiB resident in a gateway whose web UI may never be opened (BENCHMARKS.md "Gateway
    /// memory"). The keys and the protection are the same; a key store that cannot be read shows at
    /// the first login instead of in the start-up log.
    /// </summary>
    /// <returns>How many registrations were removed: 1, or 0 if ASP.NET Core stops registering it (a test watches).</returns>
    public static int LoadDataProtectionKeysOnFirstUse(this IServiceCollection services)
    {
        var eager = services.Where(d => d.ServiceType == typeof(IHostedService)
            && d.ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService").ToList();
        foreach (var descriptor in eager)
        {
            services.Remove(descriptor);
        }

        return eager.Count;
    }

    /// <summary>Security headers, the pages' own scripts and styles, and the language; before authentication.</summary>
    public static WebApplication UseWebUi(this WebApplication app)
    {
        app.UseSiteHubWebUi(typeof(WebUiFeature).Assembly, "SiteHub.Gateway.WebUi.Assets");
        return app;
    }

    /// <summary>The pages, the live feed and the JSON the pages read.</summary>
    public static IEndpointRouteBuilder MapWebUi(this IEndpointRouteBuilder app)
    {
        IndexPage.Map(app);
        DevicePage.Map(app);
        RosterPage.Map(app);
        QuarantinePage.Map(app);
        AuditPage.Map(app);
        LoginPage.Map(app);
        var ui = app.MapGroup("/ui");
        ui.MapLiveEventFeed<LiveFeed>("/events");
        ui.MapGet("/api/devices", (LiveFeed feed) => TypedResults.Json(feed.Devices(), WebUiJsonContext.Default.IReadOnlyListDeviceRow));
        ui.MapGet("/api/pending", (LiveFeed feed) => TypedResults.Json(feed.Pending(), WebUiJsonContext.Default.IReadOnlyListPendingRow));
        ui.MapGet("/api/punches", (LiveFeed feed) => TypedResults.Json(feed.RecentPunches(), WebUiJsonContext.Default.IReadOnlyListPunchRow));
        ui.MapGet("/api/uplink", (LiveFeed feed) => TypedResults.Json(feed.Uplink(), WebUiJsonContext.Default.UplinkPanel));
        ui.MapGet("/api/devices/{sn}/commands", (string sn, CommandQueue queue) =>
            TypedResults.Json((IReadOnlyList<CommandRow>)queue.ForDevice(sn, 50).Select(CommandRow.From).ToList(), WebUiJsonContext.Default.IReadOnlyListCommandRow));
        return app;
    }

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
