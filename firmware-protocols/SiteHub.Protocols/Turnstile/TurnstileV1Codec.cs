using System.Buffers;
using System.Globalization;
using System.Text.Json;
using SiteHub.Protocols.Devices;
using SiteHub.Protocols.Punches;

namespace SiteHub.Protocols.Turnstile;

/// <summary>One person turning a turnstile, as its controller counted it.</summary>
/// <param name="Sn">The turnstile controller's serial.</param>
/// <param name="Seq">The controller's own record number, when it has one.</param>
/// <param name="Lane">The lane (1-based on most controllers).</param>
/// <param name="Direction">Which way the arm turned: <see cref="Direction.In"/> or <see cref="Direction.Out"/>.</param>
/// <param name="Time">Controller time with offset.</param>
/// <param name="Card">The card the lane's reader saw, when it has one and saw one.</param>
public sealed record TurnstilePassage(string Sn, long? Seq, int Lane, Direction Direction, DateTimeOffset Time, string? Card = null)
{
    /// <summary>A deterministic id, like a punch's: serial and sequence, or a hash of serial, instant and lane/direction.</summary>
    public string EventId => Seq is { } seq
        ? EventIds.FromDeviceSequence(Sn, seq)
        : EventIds.FromContent(Sn, Time, string.Create(CultureInfo.InvariantCulture, $"lane{Lane}:{Direction}"));

    /// <summary>The device event recorded when nobody verified before this passage.</summary>
    public DeviceEvent ToTailgatingEvent() =>
        new(Sn, DeviceEventType.Tailgating, "tailgating",
            string.Create(CultureInfo.InvariantCulture, $"passage {(Direction == Direction.Out ? "out" : "in")} on lane {Lane} with no verification before it"),
            Time, Card, Seq);
}

/// <summary>
/// The <c>turnstile-v1</c> wire format, SiteHub's own: a controller publishes one passage per
/// message on <c>devices/{sn}/events</c>:
/// <c>{"sn","seq"?,"lane","dir":"in"|"out","time"(ISO 8601 with offset),"card"?}</c>.
/// Read with <see cref="Utf8JsonReader"/> like sitehub-v1: bad fields are named, unknown ones skipped.
/// </summary>
public static class TurnstileV1Codec
{
    /// <summary>The protocol id devices register with.</summary>
    public const string ProtocolId = "turnstile-v1";

    /// <summary>Highest lane number accepted.</summary>
    public const int MaxLane = 64;

    /// <summary>Decodes one passage published on <c>devices/{topicSn}/events</c>.</summary>
    /// <exception cref="PayloadDecodeException">The payload is not a valid turnstile-v1 passage.</exception>
    public static TurnstilePassage Decode(ReadOnlySpan<byte> payload, string topicSn)
    {
        try
        {
            var reader = new Utf8JsonReader(JsonWire.CheckedPayload(payload), new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new PayloadDecodeException("$", "must be a JSON object");
            }

            var passage = ReadPassage(ref reader, topicSn);
            if (reader.Read())
            {
                throw new PayloadDecodeException("$", "unexpected data after the JSON object");
            }

            return passage;
        }
        catch (JsonException ex)
        {
            throw new PayloadDecodeException("$", "malformed JSON: " + ex.Message);
        }
    }

    private static TurnstilePassage ReadPassage(ref Utf8JsonReader reader, string topicSn)
    {
        var snSeen = false;
        long? seq = null;
        int? lane = null;
        Direction? dir = null;
        DateTimeOffset? time = null;
        string? card = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("sn"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    throw new PayloadDecodeException("sn", "must be a string");
                }

                // A device may only speak for itself: the serial in the payload must be the topic's.
                if (!reader.ValueTextEquals(topicSn))
                {
                    throw new PayloadDecodeException("sn", $"'{reader.GetString()}' is not the device of the topic ('{topicSn}')");
                }

                snSeen = true;
            }
            else if (reader.ValueTextEquals("seq"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var s) || s < 0)
                {
                    throw new PayloadDecodeException("seq", "must be a non-negative integer");
                }

                seq = s;
            }
            else if (reader.ValueTextEquals("lane"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var l) || l < 0 || l > MaxLane)
                {
                    throw new PayloadDecodeException("lane", string.Create(CultureInfo.InvariantCulture, $"must be an integer from 0 to {MaxLane}"));
                }

                lane = l;
            }
            else if (reader.ValueTextEquals("dir"u8))
            {
                reader.Read();
                dir = reader.TokenType != JsonTokenType.String ? null
                    : reader.ValueTextEquals("in"u8) ? Direction.In
                    : reader.ValueTextEquals("out"u8) ? Direction.Out
                    : null;
                if (dir is null)
                {
                    throw new PayloadDecodeException("dir", "must be \"in\" or \"out\"");
                }
            }
            else if (reader.ValueTextEquals("time"u8))
            {
                time = JsonWire.ReadOffsetTime(ref reader, "time");
            }
            else if (reader.ValueTextEquals("card"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null)
                {
                    card = null;
                    continue;
                }

                if (reader.TokenType != JsonTokenType.String)
                {
                    throw new PayloadDecodeException("card", "must be a string");
                }

                card = reader.GetString()!;
                if (card.Length > 64 || card.AsSpan().ContainsAnyInRange('\0', '\x1f'))
                {
                    throw new PayloadDecodeException("card", "must be at most 64 printable characters");
                }

                card = card.Length == 0 ? null : card;
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

        if (!snSeen)
        {
            throw new PayloadDecodeException("sn", "is required");
        }

        return new TurnstilePassage(
            topicSn,
            seq,
            lane ?? throw new PayloadDecodeException("lane", "is required"),
            dir ?? throw new PayloadDecodeException("dir", "is required"),
            time ?? throw new PayloadDecodeException("time", "is required"),
            card);
    }

    /// <summary>Writes one passage in the turnstile-v1 format (what the simulators send).</summary>
    public static byte[] Encode(TurnstilePassage passage)
    {
        ArgumentOutOfRangeException.ThrowIfEqual((int)passage.Direction, (int)Direction.Unknown, nameof(passage));
        var buffer = new ArrayBufferWriter<byte>(160);
        using (var writer = new Utf8JsonWriter(buffer, JsonWire.WriterOptions()))
        {
            writer.WriteStartObject();
            writer.WriteString("sn"u8, passage.Sn);
            if (passage.Seq is { } seq)
            {
                writer.WriteNumber("seq"u8, seq);
            }

            writer.WriteNumber("lane"u8, passage.Lane);
            writer.WriteString("dir"u8, passage.Direction == Direction.In ? "in"u8 : "out"u8);
            writer.WriteString("time"u8, passage.Time.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture));
            if (passage.Card is not null)
            {
                writer.WriteString("card"u8, passage.Card);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
