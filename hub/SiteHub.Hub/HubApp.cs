using Microsoft.Extensions.Options;
using SiteHub.Hub.CentralBroker;
using SiteHub.Hub.Configuration;
using SiteHub.Hub.Headcount;
using SiteHub.Hub.Influx;
using SiteHub.Hub.Ingest;
using SiteHub.Hub.Telemetry;
using SiteHub.Platform.Hosting;
using SiteHub.Platform.Telemetry;
using SiteHub.Platform.Web;

namespace SiteHub.Hub;

/// <summary>Builds the hub application; the demo hosts it in-process, <c>Program</c> runs it.</summary>
public static class HubApp
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddSiteHubLogging("hub");
        builder.AddHubConfiguration();
        builder.AddPunchStore();
        builder.AddHeadcount();
        builder.AddCentralBroker();
        builder.AddInfluxSink();
        builder.AddHubTelemetry();
        builder.Services.AddAdminBasicAuthentication(provider => provider.GetRequiredService<IOptions<AdminOptions>>().Value.Password);
        builder.Services.AddHealthChecks().AddCheck<HubHealthCheck>("hub");

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthChecks("/health").AllowAnonymous();
        app.MapSiteHubMetrics();
        app.MapPunchesApi();
        app.MapSitesApi();
        app.MapGet("/api/influx", (InfluxSink sink) => sink.State);

        // Headcount must see punches from the first commit on.
        app.Services.GetRequiredService<HeadcountTracker>();
        app.Services.GetRequiredService<HubMetrics>();
        return app;
    }
}
