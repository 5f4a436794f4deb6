using Microsoft.Extensions.Diagnostics.HealthChecks;
using SiteHub.Hub.Influx;
using SiteHub.Hub.Ingest;

namespace SiteHub.Hub;

/// <summary>Unhealthy when the punch store cannot commit; degraded while the InfluxDB sink is failing.</summary>
public sealed class HubHealthCheck(PunchStore store, InfluxSink influx) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!store.Committer.Healthy)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"punch store cannot commit: {store.Committer.LastError}"));
        }

        var sink = influx.State;
        return Task.FromResult(sink.Enabled && !sink.Healthy
            ? HealthCheckResult.Degraded($"InfluxDB sink failing ({sink.LastError}); {sink.Lag} punches behind")
            : HealthCheckResult.Healthy("ok"));
    }
}
