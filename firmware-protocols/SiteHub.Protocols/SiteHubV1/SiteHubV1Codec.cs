using System.Buffers;
using System.Globalization;
using System.Text.Json;
using SiteHub.Protocols.Punches;

namespace SiteHub.Protocols.SiteHubV1;

/// <summary>
/// The <c>sitehub-v1</c> device wire format: one punch
/// <c>{"sn","seq","person","time","dir","mode","temp"?,"liveness"?}</c>, or a batch
/// <c>{"sn","punches":[…]}</c> of up to <see cref="MaxBatch"/>. Read with <see cref="Utf8JsonReader"/>
/// directly so every bad field is named in the error and nothing but the result is allocated.
/// Unknown properties are ignored so newer firmware stays readable.
/// </summary>
public static class SiteHubV1Codec
{
    /// <summary>The protocol id devices register with.</summary>
    public const string ProtocolId = "sitehub-v1";

    /// <summary>Most punches in one batch message.</summary>
    public const int MaxBatch = 200;

    /// <summary>Longest person id accepted.</summary>
    public const int MaxPersonLength = 64;

    /// <summary>
    /// Decodes a punch or a batch published on <c>devices/{topicSn}/punches</c>.
    /// </summary>
    /// <exception cref="PayloadDecodeException">The payload is not a valid sitehub-v1 punch or batch.</exception>
    public static IReadOnlyList<DevicePunch> Decode(ReadOnlySpan<byte> payload, string topicSn)
    {
        try
        {
            var reader = new Utf8JsonReader(JsonWire.CheckedPayload(payload), new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new PayloadDecodeException("$", "must be a JSON object");
            }

            // Sized from the payload (a batch item takes well over 64 bytes) so the list never regrows.
            var batch = new BatchSink(Math.Clamp(payload.Length / 64, 1, MaxBatch));
            var single = ReadObject(ref reader, topicSn, Message, ref batch);
            if (reader.Read())
            {
                throw new PayloadDecodeException("$", "unexpected data after the JSON object");
            }

            if (single is null)
            {
                return batch.Punches!;
            }

            return [single];
        }
        catch (JsonException ex)
        {
            throw new PayloadDecodeException("$", "malformed JSON: " + ex.Message);
        }
    }

    /// <summary>The index of the message itself, as opposed to an item of its "punches".</summary>
    private const int Message = -1;

    /// <summary>
    /// Reads one object: the message (<paramref name="index"/> = <see cref="Message"/>) or batch item
    /// <paramref name="index"/>. Returns the punch, or null when the message was a batch (then in
    /// <paramref name="batch"/>). Field paths such as <c>punches[3].time</c> are only built for an
    /// error, so a good batch allocates nothing but its punches.
    /// </summary>
    private static DevicePunch? ReadObject(ref Utf8JsonReader reader, string topicSn, int index, ref BatchSink batch)
    {
        var snSeen = false;
        string? otherSn = null;
        long? seq = null;
        string? person = null;
        DateTimeOffset? time = null;
        var dir = Direction.Unknown;
        var mode = VerifyMode.Unknown;
        double? temp = null;
        double? liveness = null;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("sn"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    throw new PayloadDecodeException(Field(index, "sn"), "must be a string");
                }

                // Compared in place: the punch takes the topic's serial, so a good one is never allocated.
                snSeen = true;
                otherSn = reader.ValueTextEquals(topicSn) ? null : reader.GetString();
            }
            else if (reader.ValueTextEquals("seq"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var s) || s < 0)
                {
                    throw new PayloadDecodeException(Field(index, "seq"), "must be a non-negative integer");
                }

                seq = s;
            }
            else if (reader.ValueTextEquals("person"u8))
            {
                person = ReadString(ref reader, index, "person");
                if (person.Length == 0 || person.Length > MaxPersonLength)
                {
                    throw new PayloadDecodeException(Field(index, "person"), $"must be 1–{MaxPersonLength} characters");
                }
            }
            else if (reader.ValueTextEquals("time"u8))
            {
                time = JsonWire.TryReadOffsetTime(ref reader, out var t) is { } reason
                    ? throw new PayloadDecodeException(Field(index, "time"), reason)
                    : t;
            }
            else if (reader.ValueTextEquals("dir"u8))
            {
                dir = ReadDirection(ref reader, index);
            }
            else if (reader.ValueTextEquals("mode"u8))
            {
                mode = ReadMode(ref reader, index);
            }
            else if (reader.ValueTextEquals("temp"u8))
            {
                temp = ReadNumber(ref reader, index, "temp", 20, 50);
            }
            else if (reader.ValueTextEquals("liveness"u8))
            {
                liveness = ReadNumber(ref reader, index, "liveness", 0, 1);
            }
            else if (reader.ValueTextEquals("punches"u8))
            {
                if (index != Message)
                {
                    throw new PayloadDecodeException(Field(index, "punches"), "batches cannot be nested");
                }

                ReadBatch(ref reader, topicSn, ref batch);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new PayloadDecodeException(index == Message ? "$" : Item(index), "malformed object");
        }

        // A device may only speak for itself: the serial in the payload must be the topic's.
        // Batch items may leave it out: they are the batch's.
        if (!snSeen && index == Message)
        {
            throw new PayloadDecodeException("sn", "is required");
        }

        if (otherSn is not null)
        {
            throw new PayloadDecodeException(Field(index, "sn"), $"'{otherSn}' is not the device of the topic ('{topicSn}')");
        }

        if (batch.Punches is not null && index == Message)
        {
            if (person is not null || time is not null)
            {
                throw new PayloadDecodeException("$", "a message is either one punch or a batch with 'punches', not both");
            }

            return null;
        }

        if (person is null)
        {
            throw new PayloadDecodeException(Field(index, "person"), "is required");
        }

        if (time is null)
        {
            throw new PayloadDecodeException(Field(index, "time"), "is required");
        }

        return new DevicePunch(topicSn, seq, person, time.Value, dir, mode, temp, liveness);
    }

    private static void ReadBatch(ref Utf8JsonReader reader, string topicSn, ref BatchSink batch)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new PayloadDecodeException("punches", "must be an array");
        }

        var punches = batch.Punches = new List<DevicePunch>(batch.Capacity);
        var none = default(BatchSink);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (punches.Count == MaxBatch)
            {
                throw new PayloadDecodeException("punches", $"holds more than {MaxBatch} punches");
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new PayloadDecodeException(Item(punches.Count), "must be an object");
            }

            punches.Add(ReadObject(ref reader, topicSn, punches.Count, ref none)!);
        }

        if (punches.Count == 0)
        {
            throw new PayloadDecodeException("punches", "is empty");
        }
    }

    private static string Item(int index) => string.Create(CultureInfo.InvariantCulture, $"punches[{index}]");

    private static string Field(int index, string name) => index == Message ? name : Item(index) + "." + name;

    private static string ReadString(ref Utf8JsonReader reader, int index, string name)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new PayloadDecodeException(Field(index, name), "must be a string");
        }

        return reader.GetString()!;
    }

    private static Direction ReadDirection(ref Utf8JsonReader reader, int index)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            if (reader.ValueTextEquals("in"u8))
            {
                return Direction.In;
            }

            if (reader.ValueTextEquals("out"u8))
            {
                return Direction.Out;
            }

            if (reader.ValueTextEquals("unknown"u8))
            {
                return Direction.Unknown;
            }
        }

        throw new PayloadDecodeException(Field(index, "dir"), "must be \"in\", \"out\" or \"unknown\"");
    }

    private static VerifyMode ReadMode(ref Utf8JsonReader reader, int index)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            if (reader.ValueTextEquals("face"u8))
            {
                return VerifyMode.Face;
            }

            if (reader.ValueTextEquals("card"u8))
            {
                return VerifyMode.Card;
            }

            if (reader.ValueTextEquals("idcard"u8))
            {
                return VerifyMode.IdCard;
            }

            if (reader.ValueTextEquals("qr"u8))
            {
                return VerifyMode.Qr;
            }

            if (reader.ValueTextEquals("fingerprint"u8))
            {
                return VerifyMode.Fingerprint;
            }

            if (reader.ValueTextEquals("unknown"u8))
            {
                return VerifyMode.Unknown;
            }
        }

        throw new PayloadDecodeException(Field(index, "mode"), "must be one of face, card, idcard, qr, fingerprint");
    }

    private static double? ReadNumber(ref Utf8JsonReader reader, int index, string name, double min, double max)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var value) || value < min || value > max)
        {
            throw new PayloadDecodeException(Field(index, name), string.Create(CultureInfo.InvariantCulture, $"must be a number from {min} to {max}"));
        }

        return value;
    }

    /// <summary>Where a batch's punches go, and how many to make room for.</summary>
    private struct BatchSink(int capacity)
    {
        public readonly int Capacity = capacity;
        public List<DevicePunch>? Punches;
    }

    /// <summary>Writes one punch in the sitehub-v1 format (what the simulators and real firmware send).</summary>
    public static byte[] EncodePunch(DevicePunch punch)
    {
        var buffer = new ArrayBufferWriter<byte>(192);
        using (var writer = new Utf8JsonWriter(buffer, JsonWire.WriterOptions()))
        {
            WritePunch(writer, punch, includeSn: true);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes a batch of up to <see cref="MaxBatch"/> punches of one device.</summary>
    public static byte[] EncodeBatch(string sn, IReadOnlyList<DevicePunch> punches)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(punches.Count, MaxBatch);
        var buffer = new ArrayBufferWriter<byte>(128 * punches.Count + 32);
        using (var writer = new Utf8JsonWriter(buffer, JsonWire.WriterOptions()))
        {
            writer.WriteStartObject();
            writer.WriteString("sn"u8, sn);
            writer.WriteStartArray("punches"u8);
            foreach (var punch in punches)
            {
                WritePunch(writer, punch, includeSn: false);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WritePunch(Utf8JsonWriter writer, DevicePunch punch, bool includeSn)
    {
        writer.WriteStartObject();
        if (includeSn)
        {
            writer.WriteString("sn"u8, punch.Sn);
        }

        if (punch.Seq is { } seq)
        {
            writer.WriteNumber("seq"u8, seq);
        }

        writer.WriteString("person"u8, punch.Person);
        writer.WriteString("time"u8, punch.Time.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture));
        writer.WriteString("dir"u8, punch.Direction switch { Direction.In => "in", Direction.Out => "out", _ => "unknown" });
        writer.WriteString("mode"u8, punch.Mode switch
        {
            VerifyMode.Face => "face",
            VerifyMode.Card => "card",
            VerifyMode.IdCard => "idcard",
            VerifyMode.Qr => "qr",
            VerifyMode.Fingerprint => "fingerprint",
            _ => "unknown",
        });
        if (punch.Temperature is { } temp)
        {
            writer.WriteNumber("temp"u8, temp);
        }

        if (punch.Liveness is { } liveness)
        {
            writer.WriteNumber("liveness"u8, liveness);
        }

        writer.WriteEndObject();
    }
}
