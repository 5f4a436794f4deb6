using Microsoft.Extensions.Options;
using SiteHub.Hub.Gateways;
using SiteHub.Hub.Headcount;

namespace SiteHub.Hub.Alerts;

/// <summary>
/// Every <see cref="AlertsOptions.TickInterval"/> (on the hub's <see cref="TimeProvider"/>, so tests
/// drive it with a fake clock), raises <c>GATEWAY_OFFLINE</c> for gateways silent past
/// <see cref="AlertsOptions.GatewayOfflineAfter"/>, <c>DEVICE_OFFLINE</c> for devices their gateway
/// reports disconnected past <see cref="AlertsOptions.DeviceOfflineAfter"/>, and resolves those heard again
/// (<see cref="OfflineRules"/> decides, <see cref="AlertStore.RecordOffline"/> writes). A failed
/// tick is logged; the next one decides afresh.
/// </summary>
public sealed partial class OfflineWatch(GatewayDirectory gateways, HeadcountTracker headcount, AlertStore alerts, TimeProvider clock,
    IOptions<AlertsOptions> options, ILogger<OfflineWatch> logger) : BackgroundService
{
    /// <summary>One decision and its write; returns the alerts written.</summary>
    public IReadOnlyList<AlertDoc> Tick()
    {
        var decision = OfflineRules.Decide(gateways.All, site => headcount.Of(site).OnSite, options.Value.GatewayOfflineAfter, options.Value.DeviceOfflineAfter);
        var written = alerts.RecordOffline(decision);
        foreach (var alert in written)
        {
            LogChanged(alert.Id, alert.Type, alert.Status, alert.Detail);
        }

        return written;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.TickInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    Tick();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutdown
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {AlertId} {Type} {Status}: {Detail}")]
    private partial void LogChanged(long alertId, string type, string status, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "A tick of the offline watch failed; the next tick tries again")]
    private partial void LogFailed(Exception exception);
}
