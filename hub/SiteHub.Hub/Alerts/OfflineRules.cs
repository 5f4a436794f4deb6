using System.Globalization;
using SiteHub.Hub.Gateways;
using SiteHub.Hub.Reconciliation;

namespace SiteHub.Hub.Alerts;

/// <summary>
/// A gateway or device silent past its threshold: one standing alert per site (gateway) or per
/// device of a site. <see cref="Key"/> names the condition across ticks.
/// </summary>
/// <param name="Type"><see cref="AlertType.GatewayOffline"/> or <see cref="AlertType.DeviceOffline"/>.</param>
/// <param name="Severity">High while workers are on site, else medium.</param>
/// <param name="SiteId">The site.</param>
/// <param name="Device">The device serial (<c>DEVICE_OFFLINE</c>), or <c>null</c>.</param>
/// <param name="Detail">What is silent since when; stable while nothing changes, so a tick that finds the same writes nothing.</param>
public sealed record OfflineAlert(AlertType Type, AlertSeverity Severity, string SiteId, string? Device, string Detail)
{
    /// <summary>The condition as the payroll rules' <see cref="Alert"/>: its subject is the site (and device).</summary>
    public Alert AsAlert() => new(Type, Severity, null, null, null, null, null, null, Detail, Device is null ? SiteId : SiteId + "|" + Device);

    public string Key => AsAlert().Key;
}

/// <summary>
/// What one tick found: the conditions standing now, and the sites for which the tick knows enough
/// to resolve the others (per type): a standing alert of such a site not among <see cref="Offline"/> is resolved.
/// </summary>
/// <param name="Offline">The conditions standing now.</param>
/// <param name="GatewaySitesKnown">Sites whose gateway was heard at least once since the hub started.</param>
/// <param name="DeviceSitesKnown">Sites whose gateway is heard and reports its devices (not too old to): their device alerts can be told.</param>
public sealed record OfflineDecision(IReadOnlyList<OfflineAlert> Offline, IReadOnlyCollection<string> GatewaySitesKnown, IReadOnlyCollection<string> DeviceSitesKnown)
{
    /// <summary>Whether this decision may resolve a standing alert of <paramref name="type"/> at <paramref name="siteId"/>.</summary>
    public bool Covers(string type, string? siteId) => siteId is not null
        && ((type == AlertType.GatewayOffline.Code() && GatewaySitesKnown.Contains(siteId))
            || (type == AlertType.DeviceOffline.Code() && DeviceSitesKnown.Contains(siteId)));
}

/// <summary>
/// Which gateways and devices are silent past their threshold, as a pure function of what the
/// <see cref="GatewayDirectory"/> knows, the headcount and the settings: no I/O, no clock of its own.
/// </summary>
public static class OfflineRules
{
    /// <summary>Longest device serial taken from a status (a gateway's text).</summary>
    public const int MaxSnLength = 64;

    /// <summary>Most devices of one site a tick considers.</summary>
    public const int MaxDevicesPerSite = 1_000;

    /// <summary>Silent longer than the threshold: exactly at the threshold is not yet offline.</summary>
    public static bool IsSilentPast(TimeSpan? silentFor, TimeSpan threshold) => silentFor is { } silent && silent > threshold;

    /// <summary>High while anyone is on site (attendance is being lost), else medium.</summary>
    public static AlertSeverity SeverityFor(int onSite) => onSite > 0 ? AlertSeverity.High : AlertSeverity.Medium;

    /// <summary>
    /// One <c>GATEWAY_OFFLINE</c> per gateway silent past <paramref name="gatewayOfflineAfter"/>.
    /// Gateways never heard (known only from a last will) decide nothing; every gateway heard
    /// once is known, so its alert is resolved once it is heard again. One <c>DEVICE_OFFLINE</c>
    /// per device a heard gateway reports disconnected past <paramref name="deviceOfflineAfter"/>:
    /// its silence is the gateway's <c>At - LastSeen</c> (one clock, whatever the skew to the hub's)
    /// plus the time since the hub heard the gateway. While a gateway is silent itself, or if it
    /// is too old to list its devices, its device alerts are left as they are.
    /// </summary>
    /// <param name="gateways">The directory's view (with <see cref="GatewayView.SilentFor"/> as of now).</param>
    /// <param name="onSite">The headcount of a site now.</param>
    /// <param name="gatewayOfflineAfter">The threshold of gateways.</param>
    /// <param name="deviceOfflineAfter">The threshold of devices.</param>
    public static OfflineDecision Decide(IEnumerable<GatewayView> gateways, Func<string, int> onSite, TimeSpan gatewayOfflineAfter, TimeSpan deviceOfflineAfter)
    {
        var offline = new List<OfflineAlert>();
        var known = new HashSet<string>(StringComparer.Ordinal);
        var devicesKnown = new HashSet<string>(StringComparer.Ordinal);
        foreach (var gateway in gateways)
        {
            if (gateway.LastSeen is not { } lastSeen)
            {
                continue;
            }

            known.Add(gateway.SiteId);
            if (IsSilentPast(gateway.SilentFor, gatewayOfflineAfter))
            {
                var people = onSite(gateway.SiteId);
                offline.Add(new OfflineAlert(AlertType.GatewayOffline, SeverityFor(people), gateway.SiteId, null,
                    string.Create(CultureInfo.InvariantCulture, $"Gateway of site {gateway.SiteId} silent since {lastSeen.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z (more than {gatewayOfflineAfter}); {people} worker(s) on site.")));
                continue;
            }

            if (gateway.Status is not { Online: true, OfflineDevices: { } devices } status)
            {
                continue;
            }

            devicesKnown.Add(gateway.SiteId);
            foreach (var device in devices.Where(d => d.Sn is { Length: > 0 and <= MaxSnLength } && !d.Sn.Any(char.IsControl)).DistinctBy(d => d.Sn, StringComparer.Ordinal).Take(MaxDevicesPerSite))
            {
                var silent = status.At - device.LastSeen + (gateway.SilentFor ?? TimeSpan.Zero);
                if (IsSilentPast(silent, deviceOfflineAfter))
                {
                    var people = onSite(gateway.SiteId);
                    offline.Add(new OfflineAlert(AlertType.DeviceOffline, SeverityFor(people), gateway.SiteId, device.Sn,
                        string.Create(CultureInfo.InvariantCulture, $"Device {device.Sn} at site {gateway.SiteId} disconnected since {device.LastSeen.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z by its gateway's clock (more than {deviceOfflineAfter}); {people} worker(s) on site.")));
                }
            }
        }

        return new OfflineDecision(offline, known, devicesKnown);
    }
}
