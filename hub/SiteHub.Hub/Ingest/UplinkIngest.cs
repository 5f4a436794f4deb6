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
                PunchBatch? batch;
                try
                {
                    batch = JsonSerializer.Deserialize(payload.Span, ProtocolsJsonContext.Default.PunchBatch);
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

                gateways.CountBatch(siteId);
                var ack = await store.StoreAsync(siteId, batch, cancellationToken);
                metrics.Record(siteId, ack);
                return ack;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a malformed message from gateway {SiteId}: {Reason}")]
    private partial void LogMalformed(string siteId, string reason);
}
