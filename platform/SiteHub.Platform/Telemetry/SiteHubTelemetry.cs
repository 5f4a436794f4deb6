using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace SiteHub.Platform.Telemetry;

/// <summary>
/// Metrics for operators: a Prometheus scrape endpoint at <c>/metrics</c> (<see cref="PrometheusText"/>)
/// and, when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, OTLP export through OpenTelemetry's SDK
/// (loaded only then). The instruments live in each app's own meter (<c>SiteHub.Gateway</c>,
/// <c>SiteHub.Hub</c>, made by the app's <see cref="IMeterFactory"/>, so two apps in one process
/// report apart) plus <see cref="StorageMeter"/> for commits.
/// </summary>
public static class SiteHubTelemetry
{
    /// <summary>The meter of the durable stores: commit-group size and latency, per store.</summary>
    public static readonly Meter StorageMeter = new("SiteHub.Storage");

    public static IHostApplicationBuilder AddSiteHubTelemetry(this IHostApplicationBuilder builder, string serviceName, string meterName)
    {
        builder.Services.AddMetrics();
        builder.Services.AddSingleton(provider =>
        {
            var factory = provider.GetRequiredService<IMeterFactory>();
            var logger = provider.GetRequiredService<ILogger<PrometheusText>>();
            return new PrometheusText(
                serviceName,
                meter => meter == StorageMeter || (meter.Scope == factory && meter.Name == meterName),
                ex => logger.LogWarning(ex, "A metric could not be read for /metrics; the others were written"));
        });
        if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            AddOtlpExport(builder.Services, serviceName, meterName);
        }

        return builder;
    }

    /// <summary>Its own method, not inlined: the JIT loads OpenTelemetry's assemblies for a method that names them, even when the branch is not taken.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddOtlpExport(IServiceCollection services, string serviceName, string meterName) =>
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics => metrics.AddMeter(meterName, StorageMeter.Name).AddOtlpExporter());

    /// <summary>
    /// <c>GET /metrics</c> in Prometheus' text format. Anonymous on purpose: it holds counts only,
    /// no personal data, and Prometheus scrapes it from the operators' network.
    /// </summary>
    public static IEndpointRouteBuilder MapSiteHubMetrics(this IEndpointRouteBuilder app)
    {
        // Made now, before the app starts: a listener sees only what is recorded after it exists.
        var metrics = app.ServiceProvider.GetRequiredService<PrometheusText>();
        app.MapGet("/metrics", () => Results.Text(metrics.Scrape(), "text/plain; version=0.0.4; charset=utf-8")).AllowAnonymous();
        return app;
    }
}
