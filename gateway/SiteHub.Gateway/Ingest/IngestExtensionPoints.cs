using SiteHub.Gateway.Devices;
using SiteHub.Protocols.Devices;
using SiteHub.Protocols.Punches;

namespace SiteHub.Gateway.Ingest;

/// <summary>
/// Reads the <c>devices/{sn}/events</c> messages of one protocol (Hikvision event JSON relayed
/// over MQTT, turnstile passages), and the same payloads pushed over HTTP.
/// </summary>
public interface IDeviceEventsHandler
{
    /// <summary>The protocol id whose events this handler reads.</summary>
    string Protocol { get; }

    /// <summary>
    /// Handles one payload; completes only after what it must keep is on disk.
    /// </summary>
    /// <exception cref="PayloadDecodeException">The payload cannot be read: the caller quarantines it.</exception>
    Task<IngestOutcome> HandleAsync(DeviceIngest ingest, DeviceRecord device, string source, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);
}

/// <summary>Told about punches after their commit (gate fusion watches verifications).</summary>
public interface IPunchObserver
{
    void OnCommitted(DeviceRecord device, IReadOnlyList<DevicePunch> punches);
}

/// <summary>Told about every heartbeat (clock-skew estimate).</summary>
public interface IDeviceStatusObserver
{
    void OnStatus(DeviceRecord device, DeviceStatus status);
}

/// <summary>Told about every command result a device reports, whatever its protocol.</summary>
public interface ICommandResultSink
{
    /// <summary>False when <paramref name="commandId"/> is not an open command of the device.</summary>
    bool Complete(string sn, long commandId, bool ok, string? error);
}
