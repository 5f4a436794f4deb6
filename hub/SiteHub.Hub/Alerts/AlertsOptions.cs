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
}
