namespace SiteHub.Hub.Alerts;

/// <summary>The <c>Alerts</c> section: how the live rules follow the clock.</summary>
public sealed class AlertsOptions
{
    public const string Section = "Alerts";

    /// <summary>
    /// How often the live rules look at the clock, to raise what a crossed due date or an ended
    /// day brings (<c>UNPAID</c> the day after the due date, <c>NO_ATTENDANCE</c>). Default 1 minute.
    /// </summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a gateway may stay silent (no status, batch or connect) before a standing
    /// <c>GATEWAY_OFFLINE</c> alert is raised for its site (high while workers are on site, else
    /// medium); resolved when it is heard again. Checked every <c>TickInterval</c>. Default 5 minutes.
    /// </summary>
    public TimeSpan GatewayOfflineAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a registered device may stay disconnected from its gateway (as the gateway's
    /// status reports it) before a standing <c>DEVICE_OFFLINE</c> alert is raised for it (high
    /// while workers are on site, else medium); resolved when the device is back. Gateways too old
    /// to report their devices raise none. Default 10 minutes.
    /// </summary>
    public TimeSpan DeviceOfflineAfter { get; set; } = TimeSpan.FromMinutes(10);
}
