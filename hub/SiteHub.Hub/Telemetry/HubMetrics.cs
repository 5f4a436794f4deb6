using System.Diagnostics.Metrics;
using SiteHub.Hub.Alerts;
using SiteHub.Hub.Gateways;
using SiteHub.Hub.Headcount;
using SiteHub.Hub.Influx;
using SiteHub.Platform.Telemetry;
using SiteHub.Protocols.Uplink;

namespace SiteHub.Hub.Telemetry;

/// <summary>
/// The hub's metrics: punches accepted / duplicate / rejected per site (counted from the acks it
/// sends), alerts standing by type, the InfluxDB sink's lag, headcount per site, and each
/// gateway's connection and backlog.
/// </summary>
public sealed class HubMetrics
{
    public const string MeterName = "SiteHub.Hub";
    private readonly Meter _meter;
    private readonly Counter<long> _punches;

    // The meter comes from the app's factory, which owns (and disposes) it.
    public HubMetrics(IMeterFactory meters, HeadcountTracker headcount, GatewayDirectory gateways, InfluxSink influx, AlertStore alerts)
    {
        _meter = meters.Create(MeterName);
        _punches = _meter.CreateCounter<long>("sitehub_hub_punches", "{punch}", "Punches received from gateways, by site and outcome (accepted, duplicate, rejected)");
        _meter.CreateObservableGauge("sitehub_hub_alerts_active", () => alerts.Query(new AlertFilter(Status: "active"))
            .GroupBy(a => a.Type, StringComparer.Ordinal)
            .Select(g => new Measurement<int>(g.Count(), new KeyValuePair<string, object?>("type", g.Key))), "{alert}", "Alerts standing now (open or acknowledged), by type");
        _meter.CreateObservableGauge("sitehub_hub_influx_lag", () => influx.State.Lag, "{punch}", "Punches committed but not yet written to InfluxDB");
        _meter.CreateObservableGauge("sitehub_hub_headcount", () => headcount.Sites.Select(site =>
            new Measurement<int>(headcount.Of(site).OnSite, new KeyValuePair<string, object?>("site", site))), "{person}", "People on site now");
        _meter.CreateObservableGauge("sitehub_hub_gateway_connected", () => gateways.All.Select(g =>
            new Measurement<int>(g.Connected ? 1 : 0, new KeyValuePair<string, object?>("site", g.SiteId))), null, "1 while the site's gateway is connected");
        _meter.CreateObservableGauge("sitehub_hub_gateway_backlog", () => gateways.All.Select(g =>
            new Measurement<long>(g.Status?.Backlog ?? 0, new KeyValuePair<string, object?>("site", g.SiteId))), "{punch}", "Punches buffered at the site's gateway, as it last reported");
    }

    /// <summary>Counts what one batch's ack says.</summary>
    public void Record(string siteId, BatchAck ack)
    {
        var site = new KeyValuePair<string, object?>("site", siteId);
        _punches.Add(ack.Accepted, site, new("outcome", "accepted"));
        _punches.Add(ack.Duplicates, site, new("outcome", "duplicate"));
        _punches.Add(ack.Rejected.Count, site, new("outcome", "rejected"));
    }
}

/// <summary>Registration of the hub's metrics.</summary>
public static class TelemetryFeature
{
    public static IHostApplicationBuilder AddHubTelemetry(this IHostApplicationBuilder builder)
    {
        builder.AddSiteHubTelemetry("sitehub-hub", HubMetrics.MeterName);
        builder.Services.AddSingleton<HubMetrics>();
        return builder;
    }
}
