using Microsoft.Extensions.Options;
using SiteHub.Hub.Configuration;
using SiteHub.Hub.Gateways;
using SiteHub.Hub.Ingest;

namespace SiteHub.Hub.Headcount;

/// <summary>Live headcount: fed by every commit of the punch store, rebuilt from it at start-up.</summary>
public static class HeadcountFeature
{
    public static IHostApplicationBuilder AddHeadcount(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(provider =>
        {
            var tracker = new HeadcountTracker(provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<IOptions<HubOptions>>());
            var store = provider.GetRequiredService<PunchStore>();
            var window = provider.GetRequiredService<IOptions<HubOptions>>().Value.OnSiteWindow;
            tracker.Apply(store.OccurredSince(provider.GetRequiredService<TimeProvider>().GetUtcNow() - window));
            store.Committed += punches => tracker.Apply(punches.Select(p => p.Punch));
            return tracker;
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapSitesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/sites", (HeadcountTracker headcount, GatewayDirectory gateways, IOptions<GatewaysOptions> configured) =>
        {
            var sites = headcount.Sites.Concat(gateways.All.Select(g => g.SiteId)).Concat(configured.Value.Sites.Keys)
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            return sites.Select(site =>
            {
                var gateway = gateways.Find(site);
                return new
                {
                    SiteId = site,
                    headcount.Of(site).OnSite,
                    GatewayConnected = gateway?.Connected ?? false,
                    Backlog = gateway?.Status?.Backlog,
                    gateway?.LastSeen,
                };
            });
        });
        app.MapGet("/api/sites/{siteId}/headcount", (string siteId, HeadcountTracker headcount) => headcount.Of(siteId));
        app.MapGet("/api/gateways", (GatewayDirectory gateways) => gateways.All);
        return app;
    }
}
