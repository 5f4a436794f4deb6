using LiteDB;
using Microsoft.Extensions.Options;
using SiteHub.Gateway.Decode;
using SiteHub.Gateway.DevicePush;
using SiteHub.Gateway.Devices;
using SiteHub.Gateway.Ingest;

namespace SiteHub.Gateway.Outbox;

/// <summary>What a replay of a quarantined payload did.</summary>
public enum ReplayOutcome
{
    /// <summary>Decoded: its punches are committed and the entry is marked replayed.</summary>
    Replayed,

    /// <summary>Still undecodable: kept, with the new reason.</summary>
    StillQuarantined,

    /// <summary>No such entry.</summary>
    NotFound,
}

/// <summary>The result of a replay: the outcome, punches committed, and the reason when it failed.</summary>
public sealed record ReplayResult(ReplayOutcome Outcome, int Punches, string? Reason);

/// <summary>
/// Runs a quarantined payload through ingest again after a fix: decodes it with the device's
/// <em>current</em> protocol (the site admin may have corrected it since), commits the punches and
/// marks the entry replayed; a payload that still fails keeps its place with the new reason.
/// </summary>
/// <remarks>
/// The punches are committed before the entry is marked: a crash in between leaves the entry
/// unmarked, and replaying it again commits nothing twice because the outbox dedupes by event id.
/// </remarks>
public sealed class QuarantineReplay(OutboxStore outbox, DeviceRegistry registry, DeviceIngest ingest, IOptions<DevicePushOptions> push, TimeProvider clock)
{
    public async Task<ReplayResult> ReplayAsync(ObjectId id, CancellationToken cancellationToken)
    {
        var entry = outbox.FindQuarantined(id);
        if (entry is null)
        {
            return new ReplayResult(ReplayOutcome.NotFound, 0, null);
        }

        var device = registry.Find(entry.DeviceSn);
        if (device is null)
        {
            return await KeepAsync(entry, "device is not registered at this gateway (approve it first)", cancellationToken);
        }

        if (entry.Truncated)
        {
            return await KeepAsync(entry, "the payload was truncated when it was quarantined; it cannot be decoded whole", cancellationToken);
        }

        var offset = device.UtcOffsetMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : push.Value.DefaultOffset;
        var decoded = PayloadDecoder.Decode(device.Protocol, entry.Raw, device.Sn, offset);
        if (decoded.Punches.Count == 0)
        {
            var reason = decoded.Problems.Count > 0 ? string.Join("; ", decoded.Problems) : "no punches in the payload";
            return await KeepAsync(entry, $"{device.Protocol}: {reason}", cancellationToken);
        }

        await ingest.CommitPunchesAsync(device, decoded.Punches, cancellationToken);
        var note = decoded.Problems.Count > 0 ? $"replayed as {device.Protocol}; skipped: {string.Join("; ", decoded.Problems)}" : $"replayed as {device.Protocol}";
        await outbox.UpdateQuarantinedAsync(
            entry with { ReplayedAt = clock.GetUtcNow(), Replays = entry.Replays + 1, Protocol = device.Protocol, Reason = entry.Reason + " → " + note },
            cancellationToken);
        return new ReplayResult(ReplayOutcome.Replayed, decoded.Punches.Count, null);
    }

    private async Task<ReplayResult> KeepAsync(QuarantinedPayload entry, string reason, CancellationToken cancellationToken)
    {
        await outbox.UpdateQuarantinedAsync(entry with { Reason = reason, Replays = entry.Replays + 1 }, cancellationToken);
        return new ReplayResult(ReplayOutcome.StillQuarantined, 0, reason);
    }
}
