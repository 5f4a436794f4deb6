using Microsoft.Extensions.Diagnostics.HealthChecks;
using SiteHub.Gateway.Outbox;
using SiteHub.Gateway.Uplink;
using SiteHub.Platform.Mqtt;

namespace SiteHub.Gateway;

/// <summary>
/// Unhealthy when the outbox cannot commit (devices are not being acked); degraded while the hub
/// is unreachable (devices are acked, the backlog grows).
/// </summary>
public sealed class GatewayHealthCheck(OutboxStore outbox, UplinkService uplink) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!outbox.Committer.Healthy)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"outbox cannot commit, devices are not acked: {outbox.Committer.LastError}"));
        }

        var state = uplink.State;
        var data = new Dictionary<string, object> { ["backlog"] = state.Backlog, ["uplink"] = state.Link.ToString() };
        return Task.FromResult(state.Link == MqttLinkState.Connected
            ? HealthCheckResult.Healthy("ok", data)
            : HealthCheckResult.Degraded($"hub unreachable ({state.LastError}); {state.Backlog} punches buffered", data: data));
    }
}
