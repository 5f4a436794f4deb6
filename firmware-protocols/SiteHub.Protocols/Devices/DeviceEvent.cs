using System.Text.Json.Serialization;

namespace SiteHub.Protocols.Devices;

/// <summary>What kind of non-punch happening a device reported (or the gateway inferred).</summary>
public enum DeviceEventType
{
    /// <summary>Someone tried to verify and the terminal refused them (unknown face, bad card, no right…).</summary>
    [JsonStringEnumMemberName("verification-failed")] VerificationFailed = 1,

    /// <summary>An access-control event that is nobody's punch: door opened, lock, button, remote open, a pass without a person id.</summary>
    [JsonStringEnumMemberName("access")] Access = 2,

    /// <summary>A turnstile passage with no verification before it: someone followed another person through.</summary>
    [JsonStringEnumMemberName("tailgating")] Tailgating = 3,

    /// <summary>Anything else the device reports (alarms, exceptions, operations, vendor events we do not map).</summary>
    [JsonStringEnumMemberName("other")] Other = 4,
}

/// <summary>
/// A device event: recorded and shown, never counted as attendance.
/// </summary>
/// <param name="Sn">The device serial (the registered one, not what the payload claims).</param>
/// <param name="Type">What kind of event.</param>
/// <param name="Code">The vendor's code, e.g. <c>5/76</c> (Hikvision major/minor) or <c>tailgating</c>.</param>
/// <param name="Description">Human-readable text for logs and the UI.</param>
/// <param name="Time">Device time with offset.</param>
/// <param name="Person">Person id or card the event names, when it names one.</param>
/// <param name="Seq">The device's own record number, when it has one.</param>
public sealed record DeviceEvent(
    string Sn,
    DeviceEventType Type,
    string Code,
    string Description,
    DateTimeOffset Time,
    string? Person = null,
    long? Seq = null);
