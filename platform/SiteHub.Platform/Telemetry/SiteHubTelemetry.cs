using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace SiteHub.Platform.Telemetry;

/// <summary>
/// OpenTelemetry metrics for operators: a Prometheus scrape endpoint at <c>/metrics</c> and, when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, OTLP export. The instruments live in each app's own
/// meter (<c>SiteHub.Gateway</c>, <c>SiteHub.Hub</c>) plus <see cref="StorageMeter"/> for commits.
/// </summary>
public static class SiteHubTelemetry
{
    /// <summary>The meter of the durable stores: commit-group size and latency, per store.</summary>
    public static readonly Meter StorageMeter = new("SiteHub.Storage");

    public static IHostApplicationBuilder AddSiteHubTelemetry(this IHostApplicationBuilder builder, string serviceName, string meterName)
    {
        var otlp = !string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(meterName, StorageMeter.Name).AddPrometheusExporter();
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        return builder;
    }

    /// <summary>
    /// <c>GET /metrics</c> in Prometheus' text format. Anonymous on purpose: it holds counts only,
    /// no personal data, and Prometheus scrapes it from the operators' network.
    /// </summary>
    public static IEndpointRouteBuilder MapSiteHubMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
        return app;
    }
}
