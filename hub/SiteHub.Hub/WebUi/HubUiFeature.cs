using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using SiteHub.Hub.Configuration;
using SiteHub.Platform.Web;

namespace SiteHub.Hub.WebUi;

/// <summary>
/// The central staff's web pages (Razor Pages under <c>/</c>), their live feed (<c>/ui/events</c>)
/// and JSON reads (<c>/ui/api/…</c>): cookie login with roles (viewer, officer, admin), lock-out and
/// an audit log (<see cref="WebUserStore"/>, <c>users</c> in <c>ui.db</c>); Chinese by default with
/// English by cookie; security headers on every response. Scripts keep HTTP Basic on <c>/api</c>.
/// </summary>
public static class HubUiFeature
{
    /// <summary>Wrong passwords in a row before a user is locked.</summary>
    public const int MaxFailedLogins = 5;

    /// <summary>How long a locked user stays locked.</summary>
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(5);

    public static IHostApplicationBuilder AddHubUi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddWebUserStore(provider => new WebUserStoreSettings(
            Path.Combine(provider.GetRequiredService<IOptions<HubOptions>>().Value.DataPath, "ui.db"), "users",
            provider.GetRequiredService<IOptions<AdminOptions>>().Value.Password, UiRoles.Admin, MaxFailedLogins, LockoutDuration));
        builder.Services.AddLiveEventFeed<HubLiveFeed>();
        builder.AddWebUiPagesWithLogin(typeof(HubUiFeature).Assembly, new WebUiLoginSettings(".SiteHub.Hub", _ => TimeSpan.FromHours(8)));
        return builder;
    }

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
        ui.MapLiveEventFeed<HubLiveFeed>("/events");
        ui.MapGet("/api/sites", (HubLiveFeed feed) => TypedResults.Json(feed.Sites(), HubUiJsonContext.Default.IReadOnlyListSiteRow));
        return app;
    }
}

/// <summary>The roles of the hub's web UI.</summary>
public static class UiRoles
{
    /// <summary>Reads everything.</summary>
    public const string Viewer = "viewer";

    /// <summary>Also acknowledges and resolves alerts and imports files.</summary>
    public const string Officer = "officer";

    /// <summary>Also manages users, rules and thresholds.</summary>
    public const string Admin = "admin";

    public static readonly string[] All = [Viewer, Officer, Admin];

    public static bool IsKnown(string? role) => role is Viewer or Officer or Admin;

    /// <summary>Whether the signed-in user may change alerts and import files.</summary>
    public static bool CanAct(System.Security.Claims.ClaimsPrincipal user) => user.IsInRole(Officer) || user.IsInRole(Admin);
}

/// <summary>The web UI's JSON (camelCase, as the page script reads it).</summary>
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SiteRow))]
[JsonSerializable(typeof(AlertRow))]
[JsonSerializable(typeof(IReadOnlyList<SiteRow>))]
public sealed partial class HubUiJsonContext : JsonSerializerContext;
