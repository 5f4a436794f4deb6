using System.Globalization;
using Microsoft.Extensions.Options;
using SiteHub.Gateway.Commands;
using SiteHub.Gateway.DeviceEvents;
using SiteHub.Gateway.Devices;
using SiteHub.Gateway.Ingest;
using SiteHub.Protocols.Devices;

namespace SiteHub.Gateway.ClockSkew;

/// <summary>The <c>Devices</c> section: limits on device state.</summary>
public sealed class DeviceClockOptions
{
    public const string Section = "Devices";

    /// <summary>How far a device clock may be from the gateway's before it gets a sync-time command and a device event. Default 30 s.</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Estimates each device's clock offset from its heartbeats (device clock minus gateway clock,
/// ignoring the LAN's milliseconds of latency) and records it. Punches keep the device time as
/// sent. Past <c>Devices:MaxClockSkew</c> the device gets a sync-time command (unless one is
/// already open) and a <c>clock-skew</c> device event.
/// </summary>
public sealed partial class ClockSkewMonitor(
    DeviceEventStore events,
    CommandQueue queue,
    IOptions<DeviceClockOptions> options,
    TimeProvider clock,
    ILogger<ClockSkewMonitor> logger) : IDeviceStatusObserver
{
    public void OnStatus(DeviceRecord device, DeviceStatus status)
    {
        if (status.Clock is not { } deviceClock)
        {
            return;
        }

        var now = clock.GetUtcNow();
        var skew = deviceClock - now;
        events.RecordSkew(device.Sn, skew);
        if (skew.Duration() <= options.Value.MaxClockSkew || queue.Open(device.Sn).Any(c => c.Op == CommandOps.SyncTime))
        {
            return;
        }

        // The event first: once queued, the command can reach the device and complete before the
        // next line runs, and whoever watches the command expects the event that explains it.
        events.Add(new DeviceEvent(device.Sn, DeviceEventType.Other, "clock-skew",
            string.Create(CultureInfo.InvariantCulture, $"device clock {skew.TotalSeconds:+0.0;-0.0} s off the gateway's (limit Devices:MaxClockSkew {options.Value.MaxClockSkew.TotalSeconds:0} s); sync-time queued"),
            deviceClock));
        queue.Enqueue(device.Sn, CommandOps.SyncTime, null, "clock-skew");
        LogSkew(device.Sn, skew.TotalSeconds);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Clock of {DeviceSn} is {SkewSeconds} s off; sync-time queued")]
    private partial void LogSkew(string deviceSn, double skewSeconds);
}

/// <summary>Clock-skew estimates and corrections.</summary>
public static class ClockSkewFeature
{
    public static IHostApplicationBuilder AddClockSkew(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DeviceClockOptions>().BindConfiguration(DeviceClockOptions.Section)
            .Validate(o => o.MaxClockSkew > TimeSpan.Zero, "Devices:MaxClockSkew must be positive").ValidateOnStart();
        builder.Services.AddSingleton<IDeviceStatusObserver, ClockSkewMonitor>();
        return builder;
    }
}
