using System.Text.Json.Serialization;
using SiteHub.Protocols.Devices;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.Uplink;

namespace SiteHub.Protocols;

/// <summary>
/// Source-generated JSON for every message in this assembly: camelCase, enums as their wire
/// names, nulls omitted. One context so hub, gateway and simulators read and write alike.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    NumberHandling = JsonNumberHandling.Strict,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(Punch))]
[JsonSerializable(typeof(PunchBatch))]
[JsonSerializable(typeof(BatchAck))]
[JsonSerializable(typeof(GatewayStatus))]
[JsonSerializable(typeof(SiteRoster))]
[JsonSerializable(typeof(DeviceStatus))]
[JsonSerializable(typeof(DeviceCommand))]
[JsonSerializable(typeof(DeviceCommandReply))]
[JsonSerializable(typeof(DeviceEvent))]
public sealed partial class ProtocolsJsonContext : JsonSerializerContext;
