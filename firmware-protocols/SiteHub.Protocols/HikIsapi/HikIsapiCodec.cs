using System.Buffers;
using System.Buffers.Text;
using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SiteHub.Protocols.Devices;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.SiteHubV1;

namespace SiteHub.Protocols.HikIsapi;

/// <summary>
/// The <c>hik-isapi</c> wire format: the event JSON a Hikvision terminal pushes to an HTTP
/// "listening host" (alone as <c>application/json</c>, or as one part of a multipart body, see
/// <see cref="HikMultipart"/>), and the same JSON relayed over MQTT.
/// </summary>
/// <remarks>
/// Shape (ISAPI event notification, <c>EventNotificationAlert</c> in JSON):
/// <c>{"ipAddress","portNo","protocol","macAddress","channelID","dateTime","activePostCount",
/// "eventType":"AccessControllerEvent","eventState","eventDescription",
/// "AccessControllerEvent":{"deviceName","majorEventType","subEventType","employeeNoString",
/// "cardNo","doorNo","serialNo","currentVerifyMode","attendanceStatus","currTemperature",…}}</c>;
/// the keep-alive is <c>{"eventType":"heartBeat",…}</c>. Event codes: see <see cref="HikEventCodes"/>.
/// Read with <see cref="Utf8JsonReader"/> directly, like sitehub-v1: every bad field is named in
/// the error, unknown properties are skipped so newer firmware stays readable.
/// </remarks>
public static class HikIsapiCodec
{
    /// <summary>The protocol id devices register with.</summary>
    public const string ProtocolId = "hik-isapi";

    /// <summary>
    /// Hikvision's own convention for a two-door controller guarding one gate: door 1 lets
    /// people in, door 2 lets them out. A gate wired otherwise passes its own map.
    /// </summary>
    public static IReadOnlyDictionary<int, Direction> DefaultDoorDirections { get; } =
        new Dictionary<int, Direction> { [1] = Direction.In, [2] = Direction.Out }.ToFrozenDictionary();

    private const string AccessPath = "AccessControllerEvent";

    /// <summary>
    /// Decodes one event JSON.
    /// </summary>
    /// <param name="json">The event JSON (a UTF-8 BOM is tolerated).</param>
    /// <param name="sn">The registered serial of the device that sent it (Hikvision events do not carry one).</param>
    /// <param name="doorDirections">Door number → direction for this gate; <see cref="DefaultDoorDirections"/> when null.</param>
    /// <returns>A punch, a device event or a heartbeat.</returns>
    /// <exception cref="PayloadDecodeException">The JSON is not a readable Hikvision event.</exception>
    public static HikDecodeResult Decode(ReadOnlySpan<byte> json, string sn, IReadOnlyDictionary<int, Direction>? doorDirections = null)
    {
        EventFields fields = default;
        try
        {
            var reader = new Utf8JsonReader(JsonWire.CheckedPayload(json), new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new PayloadDecodeException("$", "must be a JSON object");
            }

            ReadEnvelope(ref reader, ref fields);
            if (reader.Read())
            {
                throw new PayloadDecodeException("$", "unexpected data after the JSON object");
            }
        }
        catch (JsonException ex)
        {
            throw new PayloadDecodeException("$", "malformed JSON: " + ex.Message);
        }

        return Interpret(ref fields, sn, doorDirections ?? DefaultDoorDirections);
    }

    private static HikDecodeResult Interpret(ref EventFields f, string sn, IReadOnlyDictionary<int, Direction> doors)
    {
        switch (f.Kind)
        {
            case EventKind.None:
                throw new PayloadDecodeException("eventType", "is required");
            case EventKind.Heartbeat:
                return new HikHeartbeatResult(f.Time) { IpAddress = f.Ip, MacAddress = f.Mac };
            case EventKind.Other:
                var time = f.Time ?? throw new PayloadDecodeException("dateTime", "is required");
                var type = f.OtherEventType ?? "unknown";
                var other = new DeviceEvent(sn, DeviceEventType.Other, type, f.Description ?? type, time);
                return new HikDeviceEventResult(other) { IpAddress = f.Ip, MacAddress = f.Mac };
        }

        if (!f.HasAccess)
        {
            throw new PayloadDecodeException(AccessPath, "is required when eventType is AccessControllerEvent");
        }

        var major = f.Major ?? throw new PayloadDecodeException(AccessPath + ".majorEventType", "is required");
        var minor = f.Minor ?? throw new PayloadDecodeException(AccessPath + ".subEventType", "is required");
        var outcome = HikEventCodes.Classify(major, minor, out var mode, out var description);
        if (outcome == HikOutcome.Heartbeat)
        {
            return new HikHeartbeatResult(f.Time) { IpAddress = f.Ip, MacAddress = f.Mac };
        }

        var at = f.Time ?? throw new PayloadDecodeException("dateTime", "is required");

        // employeeNoString is the person id the site enrolled; a bare card number is the fallback
        // for card-only terminals, and the hub maps it to a worker like any other person id.
        var person = f.EmployeeNo ?? f.CardNo;
        if (outcome == HikOutcome.Passed && person is not null)
        {
            if (mode == VerifyMode.Unknown)
            {
                mode = f.CurrentMode;
            }

            var direction = f.Attendance != Direction.Unknown
                ? f.Attendance
                : f.DoorNo is { } door && doors.TryGetValue(door, out var byDoor) ? byDoor : Direction.Unknown;
            var punch = new DevicePunch(sn, f.SerialNo, person, at, direction, mode, f.TemperatureCelsius);
            return new HikPunchResult(punch, minor, f.DeviceName) { IpAddress = f.Ip, MacAddress = f.Mac };
        }

        // A pass that names no one cannot be anybody's attendance: keep it as an event rather than drop it.
        var eventType = outcome == HikOutcome.Passed ? DeviceEventType.Access : HikEventCodes.ToDeviceEventType(outcome);
        if (outcome == HikOutcome.Passed)
        {
            description += " (no person id)";
        }

        var code = string.Create(CultureInfo.InvariantCulture, $"{major}/{minor}");
        var deviceEvent = new DeviceEvent(sn, eventType, code, description, at, person, f.SerialNo);
        return new HikDeviceEventResult(deviceEvent) { IpAddress = f.Ip, MacAddress = f.Mac };
    }

    private static void ReadEnvelope(ref Utf8JsonReader reader, ref EventFields f)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("eventType"u8))
            {
                ReadEventType(ref reader, ref f);
            }
            else if (reader.ValueTextEquals("dateTime"u8))
            {
                f.Time = JsonWire.ReadOffsetTime(ref reader, "dateTime");
            }
            else if (reader.ValueTextEquals("ipAddress"u8))
            {
                f.Ip = ReadOptionalString(ref reader, "ipAddress");
            }
            else if (reader.ValueTextEquals("macAddress"u8))
            {
                f.Mac = ReadOptionalString(ref reader, "macAddress");
            }
            else if (reader.ValueTextEquals("eventDescription"u8))
            {
                f.Description = ReadOptionalString(ref reader, "eventDescription");
            }
            else if (reader.ValueTextEquals("AccessControllerEvent"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new PayloadDecodeException(AccessPath, "must be an object");
                }

                f.HasAccess = true;
                ReadAccess(ref reader, ref f);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new PayloadDecodeException("$", "malformed object");
        }
    }

    private static void ReadEventType(ref Utf8JsonReader reader, ref EventFields f)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new PayloadDecodeException("eventType", "must be a string");
        }

        if (reader.ValueTextEquals("AccessControllerEvent"u8))
        {
            f.Kind = EventKind.Access;
            return;
        }

        var type = reader.GetString()!;
        if (type.Equals("heartBeat", StringComparison.OrdinalIgnoreCase))
        {
            f.Kind = EventKind.Heartbeat;
        }
        else if (type.Length == 0)
        {
            throw new PayloadDecodeException("eventType", "must not be empty");
        }
        else
        {
            f.Kind = EventKind.Other;
            f.OtherEventType = type;
        }
    }

    private static void ReadAccess(ref Utf8JsonReader reader, ref EventFields f)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("majorEventType"u8))
            {
                f.Major = ReadInt(ref reader, AccessPath + ".majorEventType", 0, int.MaxValue);
            }
            else if (reader.ValueTextEquals("subEventType"u8))
            {
                f.Minor = ReadInt(ref reader, AccessPath + ".subEventType", 0, int.MaxValue);
            }
            else if (reader.ValueTextEquals("employeeNoString"u8))
            {
                f.EmployeeNo = ReadPerson(ref reader, AccessPath + ".employeeNoString") ?? f.EmployeeNo;
            }
            else if (reader.ValueTextEquals("employeeNo"u8))
            {
                // Older firmware sends the employee number as an integer; employeeNoString wins when both are present.
                f.EmployeeNo ??= ReadPerson(ref reader, AccessPath + ".employeeNo");
            }
            else if (reader.ValueTextEquals("cardNo"u8))
            {
                f.CardNo = ReadPerson(ref reader, AccessPath + ".cardNo");
            }
            else if (reader.ValueTextEquals("doorNo"u8))
            {
                f.DoorNo = ReadInt(ref reader, AccessPath + ".doorNo", 0, 1024);
            }
            else if (reader.ValueTextEquals("serialNo"u8))
            {
                f.SerialNo = ReadLong(ref reader, AccessPath + ".serialNo");
            }
            else if (reader.ValueTextEquals("deviceName"u8))
            {
                f.DeviceName = ReadOptionalString(ref reader, AccessPath + ".deviceName");
            }
            else if (reader.ValueTextEquals("currentVerifyMode"u8))
            {
                f.CurrentMode = ReadVerifyMode(ref reader);
            }
            else if (reader.ValueTextEquals("attendanceStatus"u8))
            {
                f.Attendance = ReadAttendance(ref reader);
            }
            else if (reader.ValueTextEquals("currTemperature"u8))
            {
                reader.Read();
                f.Temperature = reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var t) ? t : null;
            }
            else if (reader.ValueTextEquals("thermometryUnit"u8))
            {
                reader.Read();
                f.Fahrenheit = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("fahrenheit"u8);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new PayloadDecodeException(AccessPath, "malformed object");
        }
    }

    private static string? ReadOptionalString(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw new PayloadDecodeException(field, "must be a string");
        }

        var value = reader.GetString()!;
        return value.Length == 0 ? null : value;
    }

    /// <summary>A person id or card number: a string (or an integer, from older firmware); empty means absent.</summary>
    private static string? ReadPerson(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        string? value = reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number when reader.TryGetInt64(out var n) && n >= 0 => n.ToString(CultureInfo.InvariantCulture),
            _ => throw new PayloadDecodeException(field, "must be a string"),
        };

        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (value.Length > SiteHubV1Codec.MaxPersonLength || value.AsSpan().ContainsAnyInRange('\0', '\x1f'))
        {
            throw new PayloadDecodeException(field, $"must be 1–{SiteHubV1Codec.MaxPersonLength} printable characters");
        }

        return value;
    }

    private static int ReadInt(ref Utf8JsonReader reader, string field, int min, int max)
    {
        var value = ReadLong(ref reader, field);
        if (value < min || value > max)
        {
            throw new PayloadDecodeException(field, string.Create(CultureInfo.InvariantCulture, $"must be an integer from {min} to {max}"));
        }

        return (int)value;
    }

    /// <summary>A non-negative integer, as a JSON number or a string of digits (firmware differs).</summary>
    private static long ReadLong(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        long value = -1;
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (!reader.TryGetInt64(out value))
            {
                value = -1;
            }
        }
        else if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
        {
            var text = reader.ValueSpan;
            if (!Utf8Parser.TryParse(text, out value, out var used) || used != text.Length)
            {
                value = -1;
            }
        }

        if (value < 0)
        {
            throw new PayloadDecodeException(field, "must be a non-negative integer");
        }

        return value;
    }

    /// <summary>
    /// <c>currentVerifyMode</c> is the reader's configured mode (e.g. <c>cardOrFace</c>), not what the
    /// person used; it only settles the mode when it allows a single factor family.
    /// </summary>
    private static VerifyMode ReadVerifyMode(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return VerifyMode.Unknown;
        }

        Span<byte> buffer = stackalloc byte[64];
        if (reader.HasValueSequence || reader.ValueSpan.Length > buffer.Length)
        {
            return VerifyMode.Unknown;
        }

        var mode = buffer[..reader.CopyString(buffer)];
        if (mode.IndexOf("Or"u8) >= 0)
        {
            return VerifyMode.Unknown;
        }

        Ascii.ToLowerInPlace(mode, out _);
        if (mode.IndexOf("face"u8) >= 0)
        {
            return VerifyMode.Face;
        }

        if (mode.IndexOf("fp"u8) >= 0 || mode.IndexOf("finger"u8) >= 0)
        {
            return VerifyMode.Fingerprint;
        }

        return mode.IndexOf("card"u8) >= 0 ? VerifyMode.Card : VerifyMode.Unknown;
    }

    /// <summary>checkIn, breakIn and overtimeIn mean arriving; their Out twins mean leaving; anything else lets the door decide.</summary>
    private static Direction ReadAttendance(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return Direction.Unknown;
        }

        if (reader.ValueTextEquals("checkIn"u8) || reader.ValueTextEquals("breakIn"u8) || reader.ValueTextEquals("overtimeIn"u8))
        {
            return Direction.In;
        }

        if (reader.ValueTextEquals("checkOut"u8) || reader.ValueTextEquals("breakOut"u8) || reader.ValueTextEquals("overtimeOut"u8))
        {
            return Direction.Out;
        }

        return Direction.Unknown;
    }

    internal static ReadOnlySpan<byte> SkipBom(ReadOnlySpan<byte> payload) =>
        payload.StartsWith(JsonWire.Bom) ? payload[JsonWire.Bom.Length..] : payload;

    /// <summary>Writes an <c>AccessControllerEvent</c> as a Hikvision terminal pushes it.</summary>
    public static byte[] EncodeAccessEvent(HikAccessEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>(768);
        using (var writer = new Utf8JsonWriter(buffer, JsonWire.WriterOptions(indented: true)))
        {
            writer.WriteStartObject();
            WriteEnvelopeHead(writer, e.IpAddress, e.MacAddress, e.DateTime, e.PicturesNumber);
            writer.WriteString("eventType"u8, "AccessControllerEvent"u8);
            writer.WriteString("eventState"u8, "active"u8);
            writer.WriteString("eventDescription"u8, "Access Controller Event"u8);
            writer.WriteStartObject("AccessControllerEvent"u8);
            if (e.DeviceName is not null)
            {
                writer.WriteString("deviceName"u8, e.DeviceName);
            }

            writer.WriteNumber("majorEventType"u8, e.MajorEventType);
            writer.WriteNumber("subEventType"u8, e.SubEventType);
            if (e.CardNo is not null)
            {
                writer.WriteString("cardNo"u8, e.CardNo);
                writer.WriteNumber("cardType"u8, 1);
            }

            writer.WriteNumber("cardReaderKind"u8, 1);
            writer.WriteNumber("cardReaderNo"u8, e.DoorNo ?? 1);
            if (e.DoorNo is { } door)
            {
                writer.WriteNumber("doorNo"u8, door);
            }

            writer.WriteNumber("verifyNo"u8, 100 + e.SubEventType);
            if (e.EmployeeNo is not null)
            {
                writer.WriteString("employeeNoString"u8, e.EmployeeNo);
            }

            writer.WriteNumber("serialNo"u8, e.SerialNo);
            writer.WriteString("userType"u8, "normal"u8);
            if (e.CurrentVerifyMode is not null)
            {
                writer.WriteString("currentVerifyMode"u8, e.CurrentVerifyMode);
            }

            if (e.AttendanceStatus is not null)
            {
                writer.WriteString("attendanceStatus"u8, e.AttendanceStatus);
            }

            writer.WriteNumber("statusValue"u8, 0);
            if (e.Temperature is { } temperature)
            {
                writer.WriteNumber("currTemperature"u8, temperature);
                writer.WriteString("thermometryUnit"u8, "celsius"u8);
                writer.WriteBoolean("isAbnomalTemperature"u8, temperature >= 37.3);
            }

            writer.WriteString("mask"u8, "no"u8);
            writer.WriteNumber("picturesNumber"u8, e.PicturesNumber);
            writer.WriteBoolean("purePwdVerifyEnable"u8, true);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the keep-alive a Hikvision terminal sends to its listening host.</summary>
    public static byte[] EncodeHeartbeat(DateTimeOffset time, string? ipAddress = null, string? macAddress = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, JsonWire.WriterOptions(indented: true)))
        {
            writer.WriteStartObject();
            WriteEnvelopeHead(writer, ipAddress, macAddress, time, 0);
            writer.WriteString("eventType"u8, "heartBeat"u8);
            writer.WriteString("eventState"u8, "active"u8);
            writer.WriteString("eventDescription"u8, "heartBeat"u8);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteEnvelopeHead(Utf8JsonWriter writer, string? ip, string? mac, DateTimeOffset time, int activePostCount)
    {
        if (ip is not null)
        {
            writer.WriteString("ipAddress"u8, ip);
        }

        writer.WriteNumber("portNo"u8, 80);
        writer.WriteString("protocol"u8, "HTTP"u8);
        if (mac is not null)
        {
            writer.WriteString("macAddress"u8, mac);
        }

        writer.WriteNumber("channelID"u8, 1);
        writer.WriteString("dateTime"u8, FormatTime(time));
        writer.WriteNumber("activePostCount"u8, activePostCount);
    }

    /// <summary>ISAPI writes whole seconds with the offset: <c>2026-03-02T07:58:01+08:00</c>.</summary>
    internal static string FormatTime(DateTimeOffset time) =>
        time.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private enum EventKind
    {
        None,
        Access,
        Heartbeat,
        Other,
    }

    /// <summary>What the reader found, in whatever order the properties came.</summary>
    private struct EventFields
    {
        public EventKind Kind;
        public string? OtherEventType;
        public string? Description;
        public DateTimeOffset? Time;
        public string? Ip;
        public string? Mac;
        public bool HasAccess;
        public int? Major;
        public int? Minor;
        public string? EmployeeNo;
        public string? CardNo;
        public int? DoorNo;
        public long? SerialNo;
        public string? DeviceName;
        public VerifyMode CurrentMode;
        public Direction Attendance;
        public double? Temperature;
        public bool Fahrenheit;

        /// <summary>A reading outside 20–50 °C is a sensor fault, not a fever: it is dropped, the punch is kept.</summary>
        public readonly double? TemperatureCelsius
        {
            get
            {
                if (Temperature is not { } t)
                {
                    return null;
                }

                var celsius = Fahrenheit ? Math.Round((t - 32) * 5 / 9, 1) : t;
                return celsius is >= 20 and <= 50 ? celsius : null;
            }
        }
    }
}
