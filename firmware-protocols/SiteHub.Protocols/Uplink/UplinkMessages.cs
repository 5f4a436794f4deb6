using SiteHub.Protocols.Punches;

namespace SiteHub.Protocols.Uplink;

/// <summary>Punches a gateway sends to the hub on <c>sitehub/v1/sites/{siteId}/punches</c>.</summary>
/// <param name="GatewayId">The sending gateway (its site id).</param>
/// <param name="BatchId">Unique per batch; echoed in the <see cref="BatchAck"/>.</param>
/// <param name="Punches">The punches, already committed in the gateway's outbox.</param>
public sealed record PunchBatch(string GatewayId, string BatchId, IReadOnlyList<Punch> Punches);

/// <summary>The hub's answer on <c>sitehub/v1/sites/{siteId}/acks</c>, sent only after its own commit.</summary>
/// <param name="BatchId">The batch answered.</param>
/// <param name="Accepted">Punches new to the hub and now stored.</param>
/// <param name="Duplicates">Punches the hub already had (a resend): stored once, acked again.</param>
/// <param name="Rejected">Punches the hub will never take (invalid, or for another site), with the reason.</param>
public sealed record BatchAck(string BatchId, int Accepted, int Duplicates, IReadOnlyList<RejectedPunch> Rejected);

/// <summary>A punch the hub refused, and why. The gateway stops resending it.</summary>
public sealed record RejectedPunch(string EventId, string Reason);

/// <summary>The gateway's state, retained on <c>sitehub/v1/sites/{siteId}/status</c>; the last will says offline.</summary>
/// <param name="SiteId">The site.</param>
/// <param name="Online">False in the last will.</param>
/// <param name="Backlog">Punches committed but not yet acked by the hub.</param>
/// <param name="OldestUnsentAt">When the oldest of them was received.</param>
/// <param name="DevicesOnline">Registered devices connected now.</param>
/// <param name="DevicesOffline">Registered devices not connected.</param>
/// <param name="Version">Gateway software version.</param>
/// <param name="At">The gateway's clock.</param>
/// <param name="DeviceViolations">
/// Devices that tried to publish or subscribe outside their own <c>devices/{sn}/</c> topics at the
/// site broker, with running totals (absent from older gateways and when there were none). The hub
/// raises a <c>TOPIC_VIOLATION</c> alert from them.
/// </param>
/// <param name="OfflineDevices">
/// Registered devices not connected now, with when the gateway last heard each (its clock, as
/// <paramref name="At"/>); empty when all are connected, absent from older gateways. The hub raises
/// a <c>DEVICE_OFFLINE</c> alert for each silent past its threshold and resolves it when the device is back.
/// </param>
public sealed record GatewayStatus(
    string SiteId,
    bool Online,
    long Backlog,
    DateTimeOffset? OldestUnsentAt,
    int DevicesOnline,
    int DevicesOffline,
    string Version,
    DateTimeOffset At,
    IReadOnlyList<DeviceTopicViolation>? DeviceViolations = null,
    IReadOnlyList<OfflineDevice>? OfflineDevices = null);

/// <summary>A registered device not connected to the gateway.</summary>
/// <param name="Sn">The device serial.</param>
/// <param name="LastSeen">When the gateway last heard it (its clock), or when it was registered if never.</param>
public sealed record OfflineDevice(string Sn, DateTimeOffset LastSeen);

/// <summary>A device's refused attempts to use topics that are not its own, as a running total.</summary>
/// <param name="Sn">The device (its login serial).</param>
/// <param name="Count">Attempts refused since <paramref name="CountedSince"/>: a total, so a repeated status counts nothing twice.</param>
/// <param name="CountedSince">When the gateway started counting (its start): a new value means a new total.</param>
/// <param name="Action">The last attempt: <c>publish</c> or <c>subscribe</c>.</param>
/// <param name="Topic">The last topic (or filter) tried.</param>
public sealed record DeviceTopicViolation(string Sn, long Count, DateTimeOffset CountedSince, string Action, string Topic);

/// <summary>
/// The site's real-name roster, published by the hub (retained) on <c>sitehub/v1/sites/{siteId}/roster</c>;
/// the gateway enrols these people on its terminals. Only registry ids and names: no ID numbers.
/// </summary>
/// <param name="SiteId">The site.</param>
/// <param name="Version">Changes whenever the content does (a hash of it): the gateway applies a version once.</param>
/// <param name="Workers">The people who may enter the site now.</param>
public sealed record SiteRoster(string SiteId, string Version, IReadOnlyList<SiteRosterWorker> Workers);

/// <summary>One person on a site roster.</summary>
public sealed record SiteRosterWorker(string Id, string Name);
