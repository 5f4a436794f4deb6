using System.Collections.Concurrent;
using SiteHub.Protocols.Uplink;

namespace SiteHub.Hub.Gateways;

/// <summary>What the hub knows of a gateway.</summary>
/// <param name="SiteId">The gateway's site.</param>
/// <param name="Connected">Whether its MQTT session is up now.</param>
/// <param name="LastSeen">When the hub last heard from the gateway itself (a connect, a status, a batch); null before that.</param>
/// <param name="Status">
/// Its last status report (backlog, devices, version). The offline notice a broker publishes for a
/// gateway that vanished (its last will) does not replace it: while a gateway is cut off, the hub
/// shows the backlog it last reported.
/// </param>
/// <param name="BatchesReceived">Punch batches received since the hub started.</param>
/// <param name="SilentFor">How long since <paramref name="LastSeen"/>, as of the reading; it keeps growing while the gateway is cut off.</param>
public sealed record GatewayView(string SiteId, bool Connected, DateTimeOffset? LastSeen, GatewayStatus? Status, long BatchesReceived, TimeSpan? SilentFor = null);

/// <summary>The gateways the hub has heard of, with their last status. In memory: gateways republish status every few seconds.</summary>
public sealed class GatewayDirectory(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, GatewayView> _gateways = new(StringComparer.Ordinal);

    public IReadOnlyList<GatewayView> All
    {
        get
        {
            var now = clock.GetUtcNow();
            return _gateways.Values.OrderBy(g => g.SiteId, StringComparer.Ordinal).Select(g => AsOf(g, now)).ToList();
        }
    }

    public GatewayView? Find(string siteId) => _gateways.TryGetValue(siteId, out var view) ? AsOf(view, clock.GetUtcNow()) : null;

    private static GatewayView AsOf(GatewayView view, DateTimeOffset now) => view with { SilentFor = now - view.LastSeen };

    /// <summary>The gateway's session came up or went down. Going down is not news from the gateway: its last contact stays as it was.</summary>
    public void SetConnected(string siteId, bool connected) =>
        _gateways.AddOrUpdate(
            siteId,
            s => new GatewayView(s, connected, connected ? clock.GetUtcNow() : null, null, 0),
            (_, g) => g with { Connected = connected, LastSeen = connected ? clock.GetUtcNow() : g.LastSeen });

    /// <summary>
    /// A status on the gateway's status topic: its own report (online), or the offline notice that
    /// stands in for it when it vanished (its last will, published by the broker, carrying no figures).
    /// </summary>
    public void ApplyStatus(string siteId, GatewayStatus status) =>
        _gateways.AddOrUpdate(
            siteId,
            s => status.Online ? new GatewayView(s, true, clock.GetUtcNow(), status, 0) : new GatewayView(s, false, null, status, 0),
            (_, g) => status.Online
                ? g with { Status = status, LastSeen = clock.GetUtcNow(), Connected = true }
                : g with { Status = g.Status ?? status, Connected = false });

    public void CountBatch(string siteId) =>
        _gateways.AddOrUpdate(siteId, s => new GatewayView(s, true, clock.GetUtcNow(), null, 1), (_, g) => g with { BatchesReceived = g.BatchesReceived + 1, LastSeen = clock.GetUtcNow() });
}
