using Microsoft.Extensions.Diagnostics.HealthChecks;
using SiteHub.Hub.Influx;
using SiteHub.Hub.Ingest;

namespace SiteHub.Hub;

/// <summary>Unhealthy when the punch store cannot commit; degraded while the InfluxDB sink or the attendance store is failing.</summary>
public sealed class HubHealthCheck(PunchStore store, InfluxSink influx, AttendanceStore attendance) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!store.Committer.Healthy)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"punch store cannot commit: {store.Committer.LastError}"));
        }

        var sink = influx.State;
        if (sink.Enabled && !sink.Healthy)
        {
            return Task.FromResult(HealthCheckResult.Degraded($"InfluxDB sink failing ({sink.LastError}); {sink.Lag} punches behind"));
        }

        var days = attendance.State;
        return Task.FromResult(days.LastError is not null
            ? HealthCheckResult.Degraded($"attendance store failing ({days.LastError}); {days.Lag} punches behind")
            : HealthCheckResult.Healthy("ok"));
    }
}
