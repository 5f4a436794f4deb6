using System.Collections.Concurrent;
using SiteHub.Protocols.Uplink;

namespace SiteHub.Hub.Gateways;

/// <summary>What the hub knows of a gateway.</summary>
/// <param name="SiteId">The gateway's site.</param>
/// <param name="Connected">Whether its MQTT session is up now.</param>
/// <param name="LastSeen">When the hub last heard from it.</param>
/// <param name="Status">Its last status message (backlog, devices, version).</param>
/// <param name="BatchesReceived">Punch batches received since the hub started.</param>
public sealed record GatewayView(string SiteId, bool Connected, DateTimeOffset? LastSeen, GatewayStatus? Status, long BatchesReceived);

/// <summary>The gateways the hub has heard of, with their last status. In memory: gateways republish status every few seconds.</summary>
public sealed class GatewayDirectory(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, GatewayView> _gateways = new(StringComparer.Ordinal);

    public IReadOnlyList<GatewayView> All => _gateways.Values.OrderBy(g => g.SiteId, StringComparer.Ordinal).ToList();

    public GatewayView? Find(string siteId) => _gateways.GetValueOrDefault(siteId);

    public void SetConnected(string siteId, bool connected) =>
        _gateways.AddOrUpdate(siteId, s => new GatewayView(s, connected, clock.GetUtcNow(), null, 0), (_, g) => g with { Connected = connected, LastSeen = clock.GetUtcNow() });

    public void ApplyStatus(string siteId, GatewayStatus status) =>
        _gateways.AddOrUpdate(
            siteId,
            s => new GatewayView(s, status.Online, clock.GetUtcNow(), status, 0),
            (_, g) => g with { Status = status, LastSeen = clock.GetUtcNow(), Connected = status.Online });

    public void CountBatch(string siteId) =>
        _gateways.AddOrUpdate(siteId, s => new GatewayView(s, true, clock.GetUtcNow(), null, 1), (_, g) => g with { BatchesReceived = g.BatchesReceived + 1, LastSeen = clock.GetUtcNow() });
}
