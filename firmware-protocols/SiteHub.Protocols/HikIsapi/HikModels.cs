using SiteHub.Protocols.Devices;
using SiteHub.Protocols.Punches;

namespace SiteHub.Protocols.HikIsapi;

/// <summary>
/// What one Hikvision event turned out to be: a <see cref="HikPunchResult"/>, a
/// <see cref="HikDeviceEventResult"/> or a <see cref="HikHeartbeatResult"/>.
/// </summary>
public abstract record HikDecodeResult
{
    /// <summary>The device's IP address as it reported it (<c>ipAddress</c>), if present.</summary>
    public string? IpAddress { get; init; }

    /// <summary>The device's MAC address as it reported it (<c>macAddress</c>), if present.</summary>
    public string? MacAddress { get; init; }
}

/// <summary>A passed verification: the person punched.</summary>
/// <param name="Punch">The punch, with the registered serial, <c>serialNo</c> as its sequence.</param>
/// <param name="SubEventType">The minor code (e.g. 75 face verified), for the record.</param>
/// <param name="DeviceName">The device's own name (<c>deviceName</c>), if present.</param>
public sealed record HikPunchResult(DevicePunch Punch, int SubEventType, string? DeviceName) : HikDecodeResult;

/// <summary>A failed verification or an event that is nobody's punch.</summary>
public sealed record HikDeviceEventResult(DeviceEvent Event) : HikDecodeResult;

/// <summary>The device's keep-alive (<c>eventType: "heartBeat"</c>, or minor code 0x83).</summary>
/// <param name="Time">The device clock, when the heartbeat carries it (for clock-skew estimates).</param>
public sealed record HikHeartbeatResult(DateTimeOffset? Time) : HikDecodeResult;

/// <summary>
/// One ISAPI <c>AccessControllerEvent</c> as a device writes it: what the simulators send and
/// the encoder writes. Field names follow the ISAPI JSON.
/// </summary>
/// <param name="DateTime">Top-level <c>dateTime</c>, written with its offset.</param>
/// <param name="SubEventType">Minor code, e.g. <see cref="HikEventCodes.FacePass"/>.</param>
/// <param name="SerialNo">The device's event number (<c>serialNo</c>).</param>
/// <param name="EmployeeNo">Written as <c>employeeNoString</c>.</param>
/// <param name="CardNo">Written as <c>cardNo</c>.</param>
/// <param name="DoorNo">Written as <c>doorNo</c>.</param>
/// <param name="AttendanceStatus"><c>checkIn</c>, <c>checkOut</c>, <c>breakIn</c>, … or null.</param>
/// <param name="CurrentVerifyMode">e.g. <c>face</c>, <c>cardOrFace</c>.</param>
/// <param name="DeviceName">Written as <c>deviceName</c>.</param>
/// <param name="MajorEventType">Major code, 5 for verifications.</param>
/// <param name="Temperature">Written as <c>currTemperature</c> in °C.</param>
/// <param name="PicturesNumber">How many pictures follow in the multipart body.</param>
/// <param name="IpAddress">Top-level <c>ipAddress</c>.</param>
/// <param name="MacAddress">Top-level <c>macAddress</c>.</param>
public sealed record HikAccessEvent(
    DateTimeOffset DateTime,
    int SubEventType,
    long SerialNo,
    string? EmployeeNo = null,
    string? CardNo = null,
    int? DoorNo = null,
    string? AttendanceStatus = null,
    string? CurrentVerifyMode = null,
    string? DeviceName = null,
    int MajorEventType = HikEventCodes.MajorEvent,
    double? Temperature = null,
    int PicturesNumber = 0,
    string? IpAddress = null,
    string? MacAddress = null);
