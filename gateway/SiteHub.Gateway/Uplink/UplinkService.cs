using System.Buffers;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using SiteHub.Gateway.Configuration;
using SiteHub.Gateway.Devices;
using SiteHub.Gateway.Ingest;
using SiteHub.Gateway.Outbox;
using SiteHub.Platform.Mqtt;
using SiteHub.Protocols;
using SiteHub.Protocols.Uplink;

namespace SiteHub.Gateway.Uplink;

/// <summary>What the uplink panel and the API show.</summary>
public sealed record UplinkState(
    MqttLinkState Link,
    string? LastError,
    long Backlog,
    DateTimeOffset? OldestUnsentAt,
    int InFlightBatches,
    DateTimeOffset? LastAckAt,
    long PunchesAcked);

/// <summary>
/// Sends the outbox to the hub and marks punches delivered only when the hub's <see cref="BatchAck"/>
/// arrives. Punches just committed go first, straight from memory; the backlog (everything still
/// pending in the outbox, after an outage or a restart) is read from disk in commit order when no
/// live punch is waiting. A batch not acked within <c>Uplink:AckTimeout</c>, and every batch in
/// flight when the link drops, is sent again; the hub dedupes by event id.
/// </summary>
/// <remarks>
/// The link is owned by a <see cref="MqttConnectionSupervisor"/>. A failure in the send loop is
/// logged and the loop goes on after a short jittered delay; nothing is lost because the outbox
/// on disk, not this loop's memory, is the truth.
/// </remarks>
public sealed partial class UplinkService : BackgroundService
{
    private readonly OutboxStore _outbox;
    private readonly DeviceRegistry _registry;
    private readonly IngestCounters _counters;
    private readonly UplinkOptions _options;
    private readonly string _siteId;
    private readonly TimeProvider _clock;
    private readonly ILogger<UplinkService> _logger;
    private readonly MqttConnectionSupervisor _supervisor;
    private readonly Channel<OutboxEntry> _live = Channel.CreateBounded<OutboxEntry>(
        new BoundedChannelOptions(20_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly Channel<BatchAck> _acks = Channel.CreateUnbounded<BatchAck>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Dictionary<string, InFlightBatch> _inFlight = new(StringComparer.Ordinal);
    private readonly HashSet<long> _inFlightSeqs = [];

    // One payload buffer for every batch: a batch of 500 punches is ~130 KB, which the collector
    // puts on the large object heap, where it lies until a full collection; two such arrays per
    // batch (the writer's and its copy) let a backlog drain pile up 50 MB of garbage. Batches are
    // published one at a time by the send loop, and MQTTnet is done with the payload once
    // PublishAsync returns, so the buffer is free again for the next one.
    private readonly ArrayBufferWriter<byte> _payload = new();
    private readonly string _version = typeof(UplinkService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "dev";
    private volatile bool _resendAll = true;
    private long _backlogCursor;
    private long _acked;
    private DateTimeOffset? _lastAckAt;
    private DateTimeOffset _lastStatusAt;

    public UplinkService(OutboxStore outbox, DeviceRegistry registry, IngestCounters counters, IOptions<UplinkOptions> options, IOptions<GatewayOptions> gateway, TimeProvider clock, ILogger<UplinkService> logger)
    {
        _outbox = outbox;
        _registry = registry;
        _counters = counters;
        _options = options.Value;
        _siteId = gateway.Value.SiteId;
        _clock = clock;
        _logger = logger;
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _supervisor = new MqttConnectionSupervisor("uplink", client, BuildOptions, OnConnectedAsync, logger);
        _supervisor.Connected += () =>
        {
            _resendAll = true;
            Wake();
        };
        _outbox.Committed += entries =>
        {
            // While the link is down everything new is backlog: the disk scan sends it in order
            // after the reconnect, and the live lane stays free for what arrives after that.
            if (_supervisor.State != MqttLinkState.Connected)
            {
                return;
            }

            foreach (var entry in entries)
            {
                _live.Writer.TryWrite(entry);
            }

            Wake();
        };
    }

    /// <summary>Punches the hub has acknowledged since start.</summary>
    public long PunchesAcked => Interlocked.Read(ref _acked);

    /// <summary>Whether the link to the hub is up.</summary>
    public bool IsConnected => _supervisor.State == MqttLinkState.Connected;

    /// <summary>The uplink's state now.</summary>
    public UplinkState State
    {
        get
        {
            return new UplinkState(_supervisor.State, _supervisor.LastError, _outbox.PendingCount, _outbox.OldestPendingAt(), _inFlight.Count, _lastAckAt, Interlocked.Read(ref _acked));
        }
    }

    private MqttClientOptions BuildOptions()
    {
        var offline = Status(online: false);
        return new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Host, _options.Port)
            .WithClientId("gateway-" + _siteId)
            .WithCredentials(_options.Username ?? _siteId, _options.Password)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(7 * 24 * 3600)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithWillTopic(UplinkTopics.Status(_siteId))
            .WithWillPayload(JsonSerializer.SerializeToUtf8Bytes(offline, ProtocolsJsonContext.Default.GatewayStatus))
            .WithWillRetain()
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithSiteHubTls(_options.UseTls, _options.CaCertificatePath)
            .Build();
    }

    private async Task OnConnectedAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        await client.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(UplinkTopics.Acks(_siteId), MqttQualityOfServiceLevel.AtLeastOnce)
                .WithTopicFilter(UplinkTopics.Roster(_siteId), MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(),
            cancellationToken);
        await PublishStatusAsync(client, cancellationToken);
    }

    /// <summary>Raised when the hub publishes the site's roster (on the MQTT client's thread).</summary>
    public event Action<SiteRoster>? RosterReceived;

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        if (args.ApplicationMessage.Topic == UplinkTopics.Roster(_siteId))
        {
            try
            {
                if (JsonSerializer.Deserialize(args.ApplicationMessage.Payload.ToArray(), ProtocolsJsonContext.Default.SiteRoster) is { } roster)
                {
                    RosterReceived?.Invoke(roster);
                }
            }
            catch (JsonException ex)
            {
                LogBadAck(args.ApplicationMessage.Topic, ex.Message);
            }

            return Task.CompletedTask;
        }

        try
        {
            var ack = JsonSerializer.Deserialize(args.ApplicationMessage.Payload.ToArray(), ProtocolsJsonContext.Default.BatchAck);
            if (ack is not null)
            {
                _acks.Writer.TryWrite(ack);
                Wake();
            }
        }
        catch (JsonException ex)
        {
            LogBadAck(args.ApplicationMessage.Topic, ex.Message);
        }

        return Task.CompletedTask;
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _supervisor.Start();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ProcessAcksAsync(stoppingToken);
                if (_supervisor.State == MqttLinkState.Connected)
                {
                    ExpireTimedOutBatches();
                    await SendAsync(stoppingToken);
                    if (_clock.GetUtcNow() - _lastStatusAt >= _options.StatusInterval)
                    {
                        await PublishStatusAsync(_supervisor.Client, stoppingToken);
                    }
                }

                await _wake.WaitAsync(TimeSpan.FromMilliseconds(250), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogLoopFailed(ex);
                await Task.Delay(TimeSpan.FromMilliseconds(200 + Random.Shared.Next(300)), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        await _supervisor.DisposeAsync();
    }

    private async Task ProcessAcksAsync(CancellationToken cancellationToken)
    {
        // Every ack that has arrived is settled in one outbox write: awaiting a commit per ack held
        // the send loop for a commit cycle each time, which bounded the whole uplink under load.
        var settled = new List<long>();
        while (_acks.Reader.TryRead(out var ack))
        {
            if (!_inFlight.Remove(ack.BatchId, out var batch))
            {
                continue; // an ack of a batch already resent and acked, or from before a restart
            }

            foreach (var rejected in ack.Rejected)
            {
                LogRejected(rejected.EventId, rejected.Reason);
            }

            // Rejected punches are settled too: the hub will never take them, resending cannot help.
            settled.AddRange(batch.Seqs);
        }

        if (settled.Count == 0)
        {
            return;
        }

        await _outbox.MarkDeliveredAsync(settled, cancellationToken);
        foreach (var seq in settled)
        {
            _inFlightSeqs.Remove(seq);
        }

        Interlocked.Add(ref _acked, settled.Count);
        _lastAckAt = _clock.GetUtcNow();
    }

    private void ExpireTimedOutBatches()
    {
        var now = _clock.GetUtcNow();
        if (_resendAll || _inFlight.Values.Any(b => now - b.SentAt > _options.AckTimeout))
        {
            if (_inFlight.Count > 0)
            {
                LogResending(_inFlight.Count, _resendAll ? "the link came back" : "an ack timed out");
            }

            _resendAll = false;
            _inFlight.Clear();
            _inFlightSeqs.Clear();
            _backlogCursor = 0;

            // What waited in the live lane is pending on disk too; the scan will find it.
            while (_live.Reader.TryRead(out _))
            {
            }
        }
    }

    private async Task SendAsync(CancellationToken cancellationToken)
    {
        // Live punches go first, but after each live batch the next slot goes to the backlog (if
        // any): live batches are small and come all the time under load, so strict priority would
        // starve a backlog drain. Backlog batches are full, so the drain still gets most punches.
        var backlogNext = false;
        while (_inFlight.Count < _options.MaxInFlightBatches)
        {
            // Backlog only while fewer than Uplink:MaxInFlightBacklogBatches of it are in flight.
            var backlogAllowed = _inFlight.Values.Count(b => !b.Live) < _options.MaxInFlightBacklogBatches;
            var live = !(backlogNext && backlogAllowed);
            var batch = live ? TakeLive() : ReadBacklog();
            if (batch.Count == 0 && (backlogAllowed || !live))
            {
                live = !live;
                batch = live ? TakeLive() : ReadBacklog();
            }

            if (batch.Count == 0)
            {
                return;
            }

            backlogNext = live;
            await PublishBatchAsync(batch, live, cancellationToken);
        }
    }

    /// <summary>The next pending punches on disk after the backlog cursor, skipping those in flight.</summary>
    private List<OutboxEntry> ReadBacklog()
    {
        var batch = _outbox.ReadPending(_backlogCursor, _options.BatchSize, _inFlightSeqs);
        if (batch.Count > 0)
        {
            _backlogCursor = batch[^1].Seq;
        }

        return batch;
    }

    private List<OutboxEntry> TakeLive()
    {
        var batch = new List<OutboxEntry>();
        while (batch.Count < _options.BatchSize && _live.Reader.TryRead(out var entry))
        {
            if (!_inFlightSeqs.Contains(entry.Seq) && entry.Seq > 0)
            {
                batch.Add(entry);
            }
        }

        return batch;
    }

    private async Task PublishBatchAsync(List<OutboxEntry> entries, bool live, CancellationToken cancellationToken)
    {
        var batchId = string.Create(CultureInfo.InvariantCulture, $"{_siteId}-{entries[0].Seq}-{entries[^1].Seq}-{Guid.NewGuid():N}");
        var payload = BuildBatchPayload(batchId, entries);
        var seqs = entries.ConvertAll(e => e.Seq);
        _inFlight[batchId] = new InFlightBatch(seqs, _clock.GetUtcNow(), live);
        foreach (var seq in seqs)
        {
            _inFlightSeqs.Add(seq);
        }

        var message = new MqttApplicationMessageBuilder()
            .WithTopic(UplinkTopics.Punches(_siteId))
            .WithPayloadSegment(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        await _supervisor.Client.PublishAsync(message, cancellationToken);
    }

    /// <summary>
    /// Writes a <see cref="PunchBatch"/> by splicing the punches' stored JSON in unchanged: the
    /// outbox already holds each punch serialised, so batching costs no re-serialisation.
    /// </summary>
    private ReadOnlyMemory<byte> BuildBatchPayload(string batchId, List<OutboxEntry> entries)
    {
        _payload.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(_payload))
        {
            writer.WriteStartObject();
            writer.WriteString("gatewayId"u8, _siteId);
            writer.WriteString("batchId"u8, batchId);
            writer.WriteStartArray("punches"u8);
            foreach (var entry in entries)
            {
                writer.WriteRawValue(entry.Json, skipInputValidation: true);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return _payload.WrittenMemory;
    }

    private GatewayStatus Status(bool online)
    {
        var devices = _registry.All;
        var devicesOnline = devices.Count(d => d.Online);
        return online
            ? new GatewayStatus(_siteId, true, _outbox.PendingCount, _outbox.OldestPendingAt(), devicesOnline, devices.Count - devicesOnline, _version, _clock.GetUtcNow(),
                _counters.Violations is { Count: > 0 } violations ? violations : null,
                [.. devices.Where(d => !d.Online).Select(d => new OfflineDevice(d.Sn, d.LastSeen ?? d.CreatedAt))])
            : new GatewayStatus(_siteId, false, 0, null, 0, 0, _version, _clock.GetUtcNow());
    }

    private async Task PublishStatusAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        _lastStatusAt = _clock.GetUtcNow();
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(UplinkTopics.Status(_siteId))
            .WithPayload(JsonSerializer.SerializeToUtf8Bytes(Status(online: true), ProtocolsJsonContext.Default.GatewayStatus))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag()
            .Build();
        await client.PublishAsync(message, cancellationToken);
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    private sealed record InFlightBatch(List<long> Seqs, DateTimeOffset SentAt, bool Live);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a malformed message from the hub on {Topic}: {Reason}")]
    private partial void LogBadAck(string topic, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The hub rejected punch {EventId}: {Reason}")]
    private partial void LogRejected(string eventId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resending {Batches} unacked batches: {Why}")]
    private partial void LogResending(int batches, string why);

    [LoggerMessage(Level = LogLevel.Error, Message = "Uplink send loop failed; retrying")]
    private partial void LogLoopFailed(Exception ex);
}
