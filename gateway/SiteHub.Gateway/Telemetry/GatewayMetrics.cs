using System.Diagnostics.Metrics;
using SiteHub.Gateway.Devices;
using SiteHub.Gateway.Ingest;
using SiteHub.Gateway.Outbox;
using SiteHub.Gateway.Uplink;
using SiteHub.Platform.Telemetry;

namespace SiteHub.Gateway.Telemetry;

/// <summary>
/// The gateway's metrics, observed from the state the features already keep (no work on the
/// punch path): punches received / quarantined / refused, punches acked by the hub, outbox backlog
/// and the age of its oldest punch (the uplink's lag), devices online and offline.
/// </summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "SiteHub.Gateway";
    private readonly Meter _meter;

    // The meter comes from the app's factory, which owns (and disposes) it.
    public GatewayMetrics(IMeterFactory meters, IngestCounters counters, OutboxStore outbox, UplinkService uplink, DeviceRegistry registry, TimeProvider clock)
    {
        _meter = meters.Create(MeterName);
        _meter.CreateObservableCounter("sitehub_gateway_punches_received", () => counters.Punches, "{punch}", "Punches committed from devices (resends included)");
        _meter.CreateObservableCounter("sitehub_gateway_payloads_quarantined", () => counters.Quarantined, "{payload}", "Device payloads kept in quarantine");
        _meter.CreateObservableCounter("sitehub_gateway_messages_refused", () => counters.Refused, "{message}", "Device publishes and subscriptions refused by the topic ACL");
        _meter.CreateObservableCounter("sitehub_gateway_punches_acked_by_hub", () => uplink.PunchesAcked, "{punch}", "Punches the hub acknowledged");
        _meter.CreateObservableGauge("sitehub_gateway_outbox_backlog", () => outbox.PendingCount, "{punch}", "Punches committed but not yet acked by the hub");
        _meter.CreateObservableGauge("sitehub_gateway_outbox_oldest_age", () => outbox.OldestPendingAt() is { } oldest ? (clock.GetUtcNow() - oldest).TotalSeconds : 0, "s", "Age of the oldest unacked punch (uplink lag)");
        _meter.CreateObservableGauge("sitehub_gateway_uplink_connected", () => uplink.IsConnected ? 1 : 0, null, "1 while the link to the hub is up");
        _meter.CreateObservableGauge("sitehub_gateway_devices", () =>
        {
            var devices = registry.All;
            var online = devices.Count(d => d.Online);
            return new[]
            {
                new Measurement<int>(online, new KeyValuePair<string, object?>("state", "online")),
                new Measurement<int>(devices.Count - online, new KeyValuePair<string, object?>("state", "offline")),
            };
        }, "{device}", "Registered devices by state");
    }
}

/// <summary>Registration of the gateway's metrics and their endpoint.</summary>
public static class TelemetryFeature
{
    public static IHostApplicationBuilder AddGatewayTelemetry(this IHostApplicationBuilder builder)
    {
        builder.AddSiteHubTelemetry("sitehub-gateway", GatewayMetrics.MeterName);
        builder.Services.AddSingleton<GatewayMetrics>();
        return builder;
    }
}
