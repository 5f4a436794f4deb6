namespace SiteHub.Protocols.Devices;

/// <summary>
/// A device heartbeat on <c>devices/{sn}/status</c> (retained; the last will is <c>{"online":false}</c>).
/// Every field is optional: terminals report what they know.
/// </summary>
/// <param name="Online">False in the last will; true or absent in a heartbeat.</param>
/// <param name="Firmware">Firmware version string.</param>
/// <param name="Clock">The device's clock when it sent the heartbeat.</param>
/// <param name="Cached">Records held on the device not yet acknowledged.</param>
/// <param name="Capacity">How many records the device can hold.</param>
/// <param name="Enrolled">People enrolled on the device.</param>
public sealed record DeviceStatus(
    bool? Online = null,
    string? Firmware = null,
    DateTimeOffset? Clock = null,
    int? Cached = null,
    int? Capacity = null,
    int? Enrolled = null);

/// <summary>A command to a device on <c>devices/{sn}/cmd</c>.</summary>
/// <param name="Id">Command id, echoed in the reply.</param>
/// <param name="Op">One of open, reboot, sync-time, upsert-person, delete-person.</param>
/// <param name="Args">Operation arguments.</param>
public sealed record DeviceCommand(string Id, string Op, IReadOnlyDictionary<string, string>? Args = null);

/// <summary>A device's reply on <c>devices/{sn}/cmd/reply</c>.</summary>
public sealed record DeviceCommandReply(string Id, bool Ok, string? Error = null);
