using SiteHub.Gateway.DeviceEvents;
using SiteHub.Gateway.Devices;
using SiteHub.Gateway.Ingest;
using SiteHub.Protocols.Devices;
using SiteHub.Protocols.HikIsapi;

namespace SiteHub.Gateway.HikPush;

/// <summary>
/// What one Hikvision event becomes, whether it came over HTTP (alone or in a multipart body with a
/// picture) or relayed over MQTT on <c>devices/{sn}/events</c>: a passed verification is a punch
/// committed to the outbox; a failed verification or a non-access event is a device event; a
/// heartbeat updates the device's status and clock. Everything is on disk before this returns.
/// </summary>
public sealed partial class HikEventsHandler(
    DeviceEventStore events,
    PictureStore pictures,
    TimeProvider clock,
    ILogger<HikEventsHandler> logger) : IDeviceEventsHandler
{
    public string Protocol => HikIsapiCodec.ProtocolId;

    public Task<IngestOutcome> HandleAsync(DeviceIngest ingest, DeviceRecord device, string source, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        HandleAsync(ingest, device, payload, default, null, cancellationToken);

    /// <summary>Handles an event JSON and the picture that came with it, if any.</summary>
    /// <exception cref="SiteHub.Protocols.Punches.PayloadDecodeException">The JSON is not a readable Hikvision event.</exception>
    public async Task<IngestOutcome> HandleAsync(
        DeviceIngest ingest, DeviceRecord device, ReadOnlyMemory<byte> json, ReadOnlyMemory<byte> picture, string? pictureType, CancellationToken cancellationToken)
    {
        var result = HikIsapiCodec.Decode(json.Span, device.Sn);
        switch (result)
        {
            case HikPunchResult punch:
            {
                var path = KeepPicture(device.Sn, punch.Punch.EventId.Replace(':', '_'), punch.Punch.Time, picture, pictureType);
                var outcome = await ingest.CommitPunchesAsync(device, [punch.Punch], cancellationToken);
                if (path is not null)
                {
                    events.AddPicture(punch.Punch.EventId, device.Sn, path);
                }

                return outcome;
            }

            case HikDeviceEventResult deviceEvent:
            {
                var e = deviceEvent.Event;
                var name = e.Seq is { } seq ? $"{device.Sn}_event_{seq}" : $"{device.Sn}_event_{clock.GetUtcNow().ToUnixTimeMilliseconds()}";
                var path = KeepPicture(device.Sn, name, e.Time, picture, pictureType);
                if (events.Add(e with { Sn = device.Sn }, path))
                {
                    LogDeviceEvent(device.Sn, e.Code, e.Description);
                }

                return IngestOutcome.Applied;
            }

            case HikHeartbeatResult heartbeat:
                ingest.ApplyStatus(device, new DeviceStatus(Online: true, Clock: heartbeat.Time));
                return IngestOutcome.Applied;

            default:
                throw new InvalidOperationException("unexpected decode result " + result.GetType().Name);
        }
    }

    private string? KeepPicture(string sn, string name, DateTimeOffset time, ReadOnlyMemory<byte> picture, string? contentType)
    {
        if (picture.IsEmpty)
        {
            return null;
        }

        var (path, refusal) = pictures.Save(sn, name, time, picture.Span, contentType);
        if (refusal is not null)
        {
            // Not silently: the refusal is an event the site admin sees.
            events.Add(new DeviceEvent(sn, DeviceEventType.Other, "picture-not-kept", refusal, time));
            LogPictureRefused(sn, refusal);
        }

        return path;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Device event from {DeviceSn}: {Code} {Description}")]
    private partial void LogDeviceEvent(string deviceSn, string code, string description);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Picture from {DeviceSn} not kept: {Reason}")]
    private partial void LogPictureRefused(string deviceSn, string reason);
}
