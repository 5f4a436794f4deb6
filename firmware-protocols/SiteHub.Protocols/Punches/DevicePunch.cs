namespace SiteHub.Protocols.Punches;

/// <summary>
/// A punch as a device reported it, before the gateway adds the site, gate and its own clock.
/// </summary>
/// <param name="Sn">The device serial.</param>
/// <param name="Seq">The device's own record number, when it has one.</param>
/// <param name="Person">Person id as enrolled on the device.</param>
/// <param name="Time">Device time with offset.</param>
/// <param name="Direction">Direction the device reported; <see cref="Direction.Unknown"/> lets the gate decide.</param>
/// <param name="Mode">Verification mode.</param>
/// <param name="Temperature">Body temperature in °C, if measured.</param>
/// <param name="Liveness">Liveness score 0–1, if reported.</param>
public sealed record DevicePunch(
    string Sn,
    long? Seq,
    string Person,
    DateTimeOffset Time,
    Direction Direction,
    VerifyMode Mode,
    double? Temperature = null,
    double? Liveness = null)
{
    /// <summary>The deterministic event id of this record.</summary>
    public string EventId => Seq is { } seq ? EventIds.FromDeviceSequence(Sn, seq) : EventIds.FromContent(Sn, Time, Person);

    /// <summary>Turns the device's record into the canonical punch.</summary>
    /// <param name="siteId">The gateway's site.</param>
    /// <param name="gateId">The device's gate, from the registry.</param>
    /// <param name="gateDirection">The gate's default direction, used when the device did not say.</param>
    /// <param name="receivedAt">The gateway's clock.</param>
    /// <param name="protocol">The protocol id the record arrived in.</param>
    public Punch ToPunch(string siteId, string? gateId, Direction gateDirection, DateTimeOffset receivedAt, string protocol) =>
        new(EventId, siteId, Sn, gateId, Direction == Direction.Unknown ? gateDirection : Direction, Person,
            Time, receivedAt, Mode, Temperature, Liveness, protocol);
}
