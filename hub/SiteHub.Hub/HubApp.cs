using Microsoft.Extensions.Options;
using SiteHub.Hub.Alerts;
using SiteHub.Hub.CentralBroker;
using SiteHub.Hub.Configuration;
using SiteHub.Hub.Credit;
using SiteHub.Hub.Headcount;
using SiteHub.Hub.Imports;
using SiteHub.Hub.Influx;
using SiteHub.Hub.Ingest;
using SiteHub.Hub.Telemetry;
using SiteHub.Hub.WebUi;
using SiteHub.Hub.Registry;
using SiteHub.Hub.Rosters;
using SiteHub.Platform.Hosting;
using SiteHub.Platform.Telemetry;
using SiteHub.Platform.Web;

namespace SiteHub.Hub;

/// <summary>Builds the hub application; the demo hosts it in-process, <c>Program</c> runs it.</summary>
public static class HubApp
{
    /// <param name="args">Command line (configuration).</param>
    /// <param name="configureServices">Last changes to the services (tests replace the <see cref="TimeProvider"/>).</param>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddSiteHubLogging("hub");
        builder.AddHubConfiguration();
        builder.AddPunchStore();
        builder.AddHeadcount();
        builder.AddCentralBroker();
        builder.AddInfluxSink();
        builder.AddHubTelemetry();
        builder.AddRegistry();
        builder.AddImports();
        builder.AddAlerts();
        builder.AddCredit();
        builder.AddRosterPublishing();
        builder.Services.AddAdminBasicAuthentication(provider => provider.GetRequiredService<IOptions<AdminOptions>>().Value.Password);
        builder.AddHubUi(); // after Basic: its policy scheme becomes the default (Basic for scripts, cookie for people)
        builder.Services.AddHealthChecks().AddCheck<HubHealthCheck>("hub");
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseHubUi();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthChecks("/health").AllowAnonymous();
        app.MapSiteHubMetrics();
        app.MapPunchesApi();
        app.MapSitesApi();
        app.MapGet("/api/influx", (InfluxSink sink) => sink.State);
        app.MapRegistryApi();
        app.MapImportsApi();
        app.MapAlertsApi();
        app.MapCreditApi();
        app.MapHubUi();

        // Headcount must see punches from the first commit on.
        app.Services.GetRequiredService<HeadcountTracker>();
        app.Services.GetRequiredService<HubMetrics>();
        app.Services.GetRequiredService<LiveReconciler>();
        return app;
    }
}
