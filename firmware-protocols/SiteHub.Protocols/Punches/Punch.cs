using System.Text.Json.Serialization;

namespace SiteHub.Protocols.Punches;

/// <summary>Which way a person passed the gate.</summary>
public enum Direction
{
    [JsonStringEnumMemberName("unknown")] Unknown = 0,
    [JsonStringEnumMemberName("in")] In = 1,
    [JsonStringEnumMemberName("out")] Out = 2,
}

/// <summary>How the terminal verified the person.</summary>
public enum VerifyMode
{
    [JsonStringEnumMemberName("unknown")] Unknown = 0,
    [JsonStringEnumMemberName("face")] Face = 1,
    [JsonStringEnumMemberName("card")] Card = 2,
    [JsonStringEnumMemberName("idcard")] IdCard = 3,
    [JsonStringEnumMemberName("qr")] Qr = 4,
    [JsonStringEnumMemberName("fingerprint")] Fingerprint = 5,
}

/// <summary>
/// The canonical punch: one person recorded at one gate, as the gateway commits it and the hub stores it.
/// </summary>
/// <param name="EventId">Deterministic id (see <see cref="EventIds"/>): the same device record always gets the same id.</param>
/// <param name="SiteId">The site whose gateway received the punch.</param>
/// <param name="DeviceSn">Serial number of the terminal.</param>
/// <param name="GateId">The gate the terminal guards, from the device registry.</param>
/// <param name="Direction">From the device when it says so, else from the gate's configuration.</param>
/// <param name="PersonId">The worker's registry id, never a raw ID-card number.</param>
/// <param name="OccurredAt">The device's clock, with its offset.</param>
/// <param name="ReceivedAt">The gateway's clock when the punch was received.</param>
/// <param name="VerifyMode">How the device verified the person.</param>
/// <param name="Temperature">Body temperature in °C, when the terminal measures it.</param>
/// <param name="Liveness">Liveness score 0–1, when the terminal reports it.</param>
/// <param name="Protocol">The wire protocol id the punch arrived in (e.g. <c>sitehub-v1</c>).</param>
public sealed record Punch(
    string EventId,
    string SiteId,
    string DeviceSn,
    string? GateId,
    Direction Direction,
    string PersonId,
    DateTimeOffset OccurredAt,
    DateTimeOffset ReceivedAt,
    VerifyMode VerifyMode,
    double? Temperature,
    double? Liveness,
    string Protocol);
