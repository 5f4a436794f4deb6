using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SiteHub.Gateway.Configuration;
using SiteHub.Gateway.Devices;
using SiteHub.Gateway.Outbox;
using SiteHub.Protocols;
using SiteHub.Protocols.Devices;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.SiteHubV1;
using SiteHub.Protocols.Uplink;

namespace SiteHub.Gateway.Ingest;

/// <summary>What the gateway did with one device message.</summary>
public enum IngestOutcome
{
    /// <summary>New punches committed to disk.</summary>
    Committed,

    /// <summary>Every punch was already in the outbox (a device resend).</summary>
    Duplicate,

    /// <summary>Kept raw in quarantine with the reason.</summary>
    Quarantined,

    /// <summary>A status or reply applied to the registry.</summary>
    Applied,

    /// <summary>Not allowed (wrong topic for this device); nothing stored.</summary>
    Refused,
}

/// <summary>Running totals of what devices sent (for the API and status).</summary>
public sealed class IngestCounters(TimeProvider clock)
{
    private const int MaxTopicLength = 200;
    private readonly ConcurrentDictionary<string, DeviceTopicViolation> _violations = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _since = clock.GetUtcNow();
    private long _punches;
    private long _messages;
    private long _quarantined;
    private long _refused;

    public long Punches => Interlocked.Read(ref _punches);

    public long Messages => Interlocked.Read(ref _messages);

    public long Quarantined => Interlocked.Read(ref _quarantined);

    public long Refused => Interlocked.Read(ref _refused);

    internal void AddPunches(int count)
    {
        Interlocked.Increment(ref _messages);
        Interlocked.Add(ref _punches, count);
    }

    internal void AddQuarantined() => Interlocked.Increment(ref _quarantined);

    /// <summary>Counts a refused publish or subscription of device <paramref name="sn"/> outside its own topics.</summary>
    internal void AddRefused(string sn, string action, string topic)
    {
        Interlocked.Increment(ref _refused);
        _violations.AddOrUpdate(
            sn,
            _ => new DeviceTopicViolation(sn, 1, _since, action, Clip(topic)),
            (_, v) => v with { Count = v.Count + 1, Action = action, Topic = Clip(topic) });
    }

    /// <summary>
    /// Devices that tried topics not their own since the gateway started, with running totals:
    /// sent to the hub in every status, where they raise a <c>TOPIC_VIOLATION</c> alert.
    /// </summary>
    public IReadOnlyList<DeviceTopicViolation> Violations =>
        _violations.IsEmpty ? [] : [.. _violations.Values.OrderBy(v => v.Sn, StringComparer.Ordinal)];

    // A topic is the attacker's own text: keep what the hub stores and shows short.
    private static string Clip(string topic) => topic.Length <= MaxTopicLength ? topic : topic[..MaxTopicLength] + "…";
}

/// <summary>
/// Turns a device message into durable state: decodes it with the device's registered protocol,
/// assigns event ids, and commits punches to the outbox; anything undecodable is quarantined raw
/// with the reason. The returned task completes only after the commit is on disk, so the caller
/// (the broker or an HTTP endpoint) acks the device only then. A failed commit throws: no ack.
/// </summary>
public sealed partial class DeviceIngest(
    DeviceRegistry registry,
    OutboxStore outbox,
    IngestCounters counters,
    IOptions<GatewayOptions> gateway,
    IOptions<SiteBrokerOptions> broker,
    TimeProvider clock,
    ILogger<DeviceIngest> logger,
    IEnumerable<IDeviceEventsHandler> eventHandlers,
    IEnumerable<IPunchObserver> punchObservers,
    IEnumerable<IDeviceStatusObserver> statusObservers,
    ICommandResultSink commandResults)
{
    private readonly Dictionary<string, IDeviceEventsHandler> _eventHandlers = eventHandlers.ToDictionary(h => h.Protocol, StringComparer.Ordinal);
    private readonly IPunchObserver[] _punchObservers = punchObservers.ToArray();
    private readonly IDeviceStatusObserver[] _statusObservers = statusObservers.ToArray();

    private readonly string _siteId = gateway.Value.SiteId;
    private readonly int _maxPayload = broker.Value.MaxPayloadBytes;
    private readonly PayloadAdmission _admission = new(PunchPayloadBytesInFlight);

    /// <summary>
    /// Bytes of MQTT punch messages decoded and waiting for their commit at once (see
    /// <see cref="PayloadAdmission"/>): about 7,000 punches in messages of 200, several commit
    /// groups' worth, so the outbox always has a full group queued; single-punch messages from
    /// every device together stay far below it. HTTP pushes (ZKTeco, Hikvision) do not pass
    /// through this bound.
    /// </summary>
    public const int PunchPayloadBytesInFlight = 1024 * 1024;

    /// <summary>Handles a message published by device <paramref name="sn"/> on <paramref name="topic"/>.</summary>
    public async Task<IngestOutcome> HandleMqttAsync(string sn, string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (!DeviceTopics.TryParse(topic, out var topicSn, out var kind) || topicSn != sn || kind == DeviceTopicKind.Command)
        {
            counters.AddRefused(sn, "publish", topic);
            LogRefusedTopic(sn, topic);
            return IngestOutcome.Refused;
        }

        var device = registry.Find(sn);
        if (device is null)
        {
            // Only reachable with an external broker, which lets devices in on its own terms.
            return await QuarantineAsync(sn, topic, "unknown", payload, "device is not registered at this gateway (approve it first)", cancellationToken);
        }

        switch (kind)
        {
            case DeviceTopicKind.Punches:
                return await IngestPunchesAsync(device, topic, payload, cancellationToken);
            case DeviceTopicKind.Status:
                return await ApplyStatusAsync(device, topic, payload, cancellationToken);
            case DeviceTopicKind.CommandReply:
                return await ApplyCommandReplyAsync(device, topic, payload, cancellationToken);
            case DeviceTopicKind.Events:
                return await HandleEventsAsync(device, topic, payload, cancellationToken);
            default:
                return await QuarantineAsync(sn, topic, device.Protocol, payload, $"this gateway does not handle '{kind}' messages yet", cancellationToken);
        }
    }

    private async Task<IngestOutcome> IngestPunchesAsync(DeviceRecord device, string source, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (payload.Length > _maxPayload)
        {
            return await QuarantineAsync(device.Sn, source, device.Protocol, payload, $"payload of {payload.Length} bytes exceeds SiteBroker:MaxPayloadBytes ({_maxPayload})", cancellationToken);
        }

        var admitted = await _admission.EnterAsync(payload.Length, cancellationToken);
        try
        {
            IReadOnlyList<DevicePunch> decoded;
            try
            {
                decoded = device.Protocol switch
                {
                    SiteHubV1Codec.ProtocolId => SiteHubV1Codec.Decode(payload.Span, device.Sn),
                    _ => throw new PayloadDecodeException("$", $"protocol '{device.Protocol}' is not read over MQTT by this gateway"),
                };
            }
            catch (PayloadDecodeException ex)
            {
                return await QuarantineAsync(device.Sn, source, device.Protocol, payload, ex.Message, cancellationToken);
            }

            return await CommitPunchesAsync(device, decoded, cancellationToken);
        }
        finally
        {
            _admission.Release(admitted);
        }
    }

    /// <summary>
    /// Commits decoded punches of <paramref name="device"/> to the outbox (every protocol and
    /// transport ends here); completes only after the commit is on disk.
    /// </summary>
    public async Task<IngestOutcome> CommitPunchesAsync(DeviceRecord device, IReadOnlyList<DevicePunch> decoded, CancellationToken cancellationToken)
    {
        if (decoded.Count == 0)
        {
            return IngestOutcome.Applied;
        }

        var now = clock.GetUtcNow();
        var punches = new Punch[decoded.Count];
        for (var i = 0; i < decoded.Count; i++)
        {
            punches[i] = decoded[i].ToPunch(_siteId, device.Gate, device.Direction, now, device.Protocol);
        }

        var outcome = await outbox.AppendAsync(punches, cancellationToken);
        counters.AddPunches(punches.Length);
        registry.Touch(device.Sn);
        foreach (var observer in _punchObservers)
        {
            observer.OnCommitted(device, decoded);
        }

        return outcome == OutboxWriteOutcome.AlreadyPresent ? IngestOutcome.Duplicate : IngestOutcome.Committed;
    }

    /// <summary>
    /// Hands a <c>devices/{sn}/events</c> payload (or the same payload pushed over HTTP) to the
    /// handler of the device's protocol; what it cannot read is quarantined.
    /// </summary>
    public async Task<IngestOutcome> HandleEventsAsync(DeviceRecord device, string source, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (!_eventHandlers.TryGetValue(device.Protocol, out var handler))
        {
            return await QuarantineAsync(device.Sn, source, device.Protocol, payload, $"protocol '{device.Protocol}' sends no events this gateway reads", cancellationToken);
        }

        if (payload.Length > _maxPayload)
        {
            return await QuarantineAsync(device.Sn, source, device.Protocol, payload, $"payload of {payload.Length} bytes exceeds SiteBroker:MaxPayloadBytes ({_maxPayload})", cancellationToken);
        }

        try
        {
            return await handler.HandleAsync(this, device, source, payload, cancellationToken);
        }
        catch (PayloadDecodeException ex)
        {
            return await QuarantineAsync(device.Sn, source, device.Protocol, payload, ex.Message, cancellationToken);
        }
    }

    /// <summary>Applies a heartbeat, from MQTT or an HTTP push, and tells the observers.</summary>
    public void ApplyStatus(DeviceRecord device, DeviceStatus status)
    {
        registry.ApplyStatus(device.Sn, status);
        foreach (var observer in _statusObservers)
        {
            observer.OnStatus(device, status);
        }
    }

    /// <summary>Records a command result, from any protocol.</summary>
    public bool CompleteCommand(string sn, long commandId, bool ok, string? error) => commandResults.Complete(sn, commandId, ok, error);

    private async Task<IngestOutcome> ApplyCommandReplyAsync(DeviceRecord device, string source, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        DeviceCommandReply? reply;
        try
        {
            reply = payload.Length <= 64 * 1024 ? JsonSerializer.Deserialize(payload.Span, ProtocolsJsonContext.Default.DeviceCommandReply) : null;
        }
        catch (JsonException ex)
        {
            return await QuarantineAsync(device.Sn, source, device.Protocol, payload, "cmd/reply: malformed JSON: " + ex.Message, cancellationToken);
        }

        if (reply is null || !long.TryParse(reply.Id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
        {
            return await QuarantineAsync(device.Sn, source, device.Protocol, payload, "cmd/reply: must be {\"id\",\"ok\",\"error\"?} with the numeric id of a command", cancellationToken);
        }

        LogCommandReply(device.Sn, Encoding.UTF8.GetString(payload.Span[..Math.Min(payload.Length, 512)]));
        if (!CompleteCommand(device.Sn, id, reply.Ok, reply.Error))
        {
            LogUnmatchedReply(device.Sn, id);
        }

        return IngestOutcome.Applied;
    }

    private async Task<IngestOutcome> ApplyStatusAsync(DeviceRecord device, string source, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        DeviceStatus? status;
        try
        {
            status = payload.Length <= 64 * 1024 ? JsonSerializer.Deserialize(payload.Span, ProtocolsJsonContext.Default.DeviceStatus) : null;
        }
        catch (JsonException ex)
        {
            return await QuarantineAsync(device.Sn, source, device.Protocol, payload, "status: malformed JSON: " + ex.Message, cancellationToken);
        }

        if (status is null)
        {
            return await QuarantineAsync(device.Sn, source, device.Protocol, payload, "status: must be a JSON object of at most 64 KiB", cancellationToken);
        }

        ApplyStatus(device, status);
        return IngestOutcome.Applied;
    }

    /// <summary>Keeps a payload raw with the reason, durably, and counts it.</summary>
    public async Task<IngestOutcome> QuarantineAsync(string sn, string source, string protocol, ReadOnlyMemory<byte> payload, string reason, CancellationToken cancellationToken)
    {
        const int MaxKept = 1024 * 1024;
        var truncated = payload.Length > MaxKept;
        await outbox.QuarantineAsync(
            new QuarantinedPayload
            {
                At = clock.GetUtcNow(),
                DeviceSn = sn,
                Source = source,
                Protocol = protocol,
                Reason = reason,
                Size = payload.Length,
                Truncated = truncated,
                Raw = payload[..Math.Min(payload.Length, MaxKept)].ToArray(),
            },
            cancellationToken);
        counters.AddQuarantined();
        LogQuarantined(sn, source, reason);
        return IngestOutcome.Quarantined;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Quarantined a payload from {DeviceSn} on {Source}: {Reason}")]
    private partial void LogQuarantined(string deviceSn, string source, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a publish by {DeviceSn} to {Topic}: not its own topic")]
    private partial void LogRefusedTopic(string deviceSn, string topic);

    [LoggerMessage(Level = LogLevel.Information, Message = "Command reply {CommandId} from {DeviceSn} matches no open command (a late duplicate)")]
    private partial void LogUnmatchedReply(string deviceSn, long commandId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Command reply from {DeviceSn}: {Reply}")]
    private partial void LogCommandReply(string deviceSn, string reply);
}
