using System.Buffers;
using System.Text.Json;
using SiteHub.Hub.Alerts;
using SiteHub.Hub.Gateways;
using SiteHub.Hub.Telemetry;
using SiteHub.Protocols;
using SiteHub.Protocols.Uplink;

namespace SiteHub.Hub.Ingest;

/// <summary>
/// Handles what gateways publish, whichever broker carried it: punch batches are stored (deduped,
/// forced to disk) and answered with the <see cref="BatchAck"/> to publish; statuses update the
/// gateway directory, and the devices a gateway refused at its site broker raise
/// <c>TOPIC_VIOLATION</c> alerts. Returns null when there is nothing to answer.
/// </summary>
public sealed partial class UplinkIngest(PunchStore store, GatewayDirectory gateways, HubMetrics metrics, TopicViolations violations, ILogger<UplinkIngest> logger)
{
    /// <summary>Handles a message from site <paramref name="siteId"/> (already authorised for that site's topics).</summary>
    /// <exception cref="Exception">The commit failed: do not ack; the gateway resends.</exception>
    public async Task<BatchAck?> HandleAsync(string siteId, UplinkTopicKind kind, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        switch (kind)
        {
            case UplinkTopicKind.Punches:
                return DecodePunches(siteId, new ReadOnlySequence<byte>(payload)) is { } batch
                    ? await StorePunchesAsync(siteId, batch, cancellationToken)
                    : null;
            case UplinkTopicKind.Status:
                try
                {
                    if (JsonSerializer.Deserialize(payload.Span, ProtocolsJsonContext.Default.GatewayStatus) is { } status)
                    {
                        gateways.ApplyStatus(siteId, status);
                        violations.ReportDevices(siteId, status.DeviceViolations);
                    }
                }
                catch (JsonException ex)
                {
                    LogMalformed(siteId, ex.Message);
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>
    /// Decodes a <see cref="PunchBatch"/> from site <paramref name="siteId"/>; null, logged, when it
    /// is malformed. Synchronous, so a broker can decode straight from its receive buffer before
    /// the buffer goes back to it, instead of copying every payload (each a large-object-heap
    /// array at 500 punches a batch) to commit it later.
    /// </summary>
    public PunchBatch? DecodePunches(string siteId, ReadOnlySequence<byte> payload)
    {
        PunchBatch? batch;
        try
        {
            // One segment is the usual case; the span overload also refuses anything after the value.
            batch = payload.IsSingleSegment
                ? JsonSerializer.Deserialize(payload.FirstSpan, ProtocolsJsonContext.Default.PunchBatch)
                : JsonSerializer.Deserialize(payload.ToArray(), ProtocolsJsonContext.Default.PunchBatch);
        }
        catch (JsonException ex)
        {
            LogMalformed(siteId, ex.Message);
            return null;
        }

        if (batch is null || string.IsNullOrEmpty(batch.BatchId) || batch.Punches is null)
        {
            LogMalformed(siteId, "batchId and punches are required");
            return null;
        }

        return batch;
    }

    /// <summary>Stores a decoded batch of site <paramref name="siteId"/>; completes with the <see cref="BatchAck"/> once it is on disk.</summary>
    /// <exception cref="Exception">The commit failed: do not ack; the gateway resends.</exception>
    public async Task<BatchAck> StorePunchesAsync(string siteId, PunchBatch batch, CancellationToken cancellationToken)
    {
        gateways.CountBatch(siteId);
        var ack = await store.StoreAsync(siteId, batch, cancellationToken);
        metrics.Record(siteId, ack);
        return ack;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a malformed message from gateway {SiteId}: {Reason}")]
    private partial void LogMalformed(string siteId, string reason);
}
