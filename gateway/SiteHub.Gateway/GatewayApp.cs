using Microsoft.Extensions.Options;
using SiteHub.Gateway.ClockSkew;
using SiteHub.Gateway.Commands;
using SiteHub.Gateway.Configuration;
using SiteHub.Gateway.DeviceEvents;
using SiteHub.Gateway.Devices;
using SiteHub.Gateway.Enrolment;
using SiteHub.Gateway.HikPush;
using SiteHub.Gateway.Outbox;
using SiteHub.Gateway.SiteBroker;
using SiteHub.Gateway.Telemetry;
using SiteHub.Gateway.Turnstiles;
using SiteHub.Gateway.Uplink;
using SiteHub.Gateway.WebUi;
using SiteHub.Gateway.ZkPush;
using SiteHub.Platform.Telemetry;
using SiteHub.Platform.Hosting;
using SiteHub.Platform.Storage;
using SiteHub.Platform.Web;

namespace SiteHub.Gateway;

/// <summary>Builds the gateway application; the demo hosts it in-process, <c>Program</c> runs it.</summary>
public static class GatewayApp
{
    /// <summary>
    /// Most pages LiteDB adds to a file's cache at once, which is also about where the cache stops
    /// growing (50 pages of 8 KiB; the first segments are 12 and 50). LiteDB's own sizes let each
    /// busy file (the outbox, the registry) keep 13 MiB; at 1,000 punches/s that was a third of the
    /// gateway's managed heap, while an outbox commit group touches a few dozen pages. 50 rather
    /// than 100 pages: ~1.5 MiB less resident at 1,000 punches/s, and batched ingest still kept up
    /// with 40,000 punches/s (BENCHMARKS.md "Gateway memory", 2026-11-27 06:08–06:16).
    /// </summary>
    public const int LiteDbCacheSegmentPages = 50;

    /// <param name="args">Command line (configuration).</param>
    /// <param name="configureServices">Last changes to the services (tests capture the logs).</param>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        // Before any database opens; process-wide, so a demo that hosts the hub in this process bounds the hub's files too.
        DurableLiteDatabase.LimitPageCache(LiteDbCacheSegmentPages);
        // The slim builder leaves out what a gateway does not use (IIS integration, HTTP/3 over QUIC,
        // host filtering, regex route constraints, the EventLog/Debug/EventSource log providers):
        // ~2 MiB less resident. HTTPS endpoints in Kestrel's configuration still work (added back).
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.AddSiteHubLogging("gateway");
        builder.Services.AddSystemd(); // start-up and stop notifications under systemd; nothing elsewhere
        builder.Services.AddNativeMemoryTrim(); // freed native memory back to the OS (glibc keeps it)
        builder.AddGatewayConfiguration();
        builder.AddDevices();
        builder.AddOutbox();
        builder.AddSiteBroker();
        builder.AddUplink();
        builder.AddGatewayTelemetry();
        builder.AddCommands();
        builder.AddDevicePush();
        builder.AddDeviceEvents();
        builder.AddHikPush();
        builder.AddTurnstiles();
        builder.AddEnrolment();
        builder.AddClockSkew();
        builder.Services.AddAdminBasicAuthentication(provider => provider.GetRequiredService<IOptions<AdminOptions>>().Value.Password);
        builder.AddWebUi(); // after Basic: its policy scheme becomes the default (Basic for scripts, cookie for people)
        builder.Services.AddHealthChecks().AddCheck<GatewayHealthCheck>("gateway");
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseWebUi();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthChecks("/health").AllowAnonymous();
        app.MapSiteHubMetrics();
        app.Services.GetRequiredService<GatewayMetrics>();
        app.MapDevicesApi();
        app.MapOutboxApi();
        app.MapUplinkApi();
        app.MapCommandsApi();
        app.MapEnrolmentApi();
        app.MapZkPush();
        app.MapHikPush();
        app.MapDeviceEventsApi();
        app.MapWebUi();
        return app;
    }
}
