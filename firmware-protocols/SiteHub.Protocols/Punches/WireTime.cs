using System.Buffers.Text;

namespace SiteHub.Protocols.Punches;

/// <summary>
/// Date and time helpers shared by the device codecs. Parsing works on the UTF-8 bytes as they
/// arrive so a decode allocates nothing for a timestamp.
/// </summary>
internal static class WireTime
{
    /// <summary>
    /// True when an ISO 8601 text ends in <c>Z</c> or <c>±hh:mm</c>. An instant without an offset
    /// is ambiguous across time zones, so the JSON codecs refuse it rather than guess.
    /// </summary>
    public static bool HasOffset(ReadOnlySpan<byte> text)
    {
        if (text.Length < 20)
        {
            return false;
        }

        if (text[^1] is (byte)'Z' or (byte)'z')
        {
            return true;
        }

        var sign = text.Length - 6;
        return text[sign] is (byte)'+' or (byte)'-' && text[sign + 3] == (byte)':';
    }

    /// <summary>
    /// Reads exactly <c>yyyy-MM-dd HH:mm:ss</c> (a device's local clock, as ZKTeco writes it).
    /// Years outside 2000–2099 are refused: ZK firmware counts its clock from 2000, so anything
    /// else is a corrupted record, not a real punch.
    /// </summary>
    public static bool TryParseLocal(ReadOnlySpan<byte> text, out DateTime local)
    {
        local = default;
        if (text.Length != 19 || text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' || text[16] != ':')
        {
            return false;
        }

        if (!TryDigits(text[..4], out var year) || !TryDigits(text.Slice(5, 2), out var month) ||
            !TryDigits(text.Slice(8, 2), out var day) || !TryDigits(text.Slice(11, 2), out var hour) ||
            !TryDigits(text.Slice(14, 2), out var minute) || !TryDigits(text.Slice(17, 2), out var second))
        {
            return false;
        }

        if (year is < 2000 or > 2099 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) ||
            hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified);
        return true;
    }

    /// <summary>Writes <c>yyyy-MM-dd HH:mm:ss</c> into <paramref name="destination"/> (19 bytes).</summary>
    public static void FormatLocal(DateTime local, Span<byte> destination)
    {
        Write4(local.Year, destination);
        destination[4] = (byte)'-';
        Write2(local.Month, destination[5..]);
        destination[7] = (byte)'-';
        Write2(local.Day, destination[8..]);
        destination[10] = (byte)' ';
        Write2(local.Hour, destination[11..]);
        destination[13] = (byte)':';
        Write2(local.Minute, destination[14..]);
        destination[16] = (byte)':';
        Write2(local.Second, destination[17..]);
    }

    /// <summary>True when the offset is one a <see cref="DateTimeOffset"/> accepts: whole minutes within ±14 h.</summary>
    public static bool IsValidOffset(TimeSpan offset) =>
        offset.Ticks % TimeSpan.TicksPerMinute == 0 && offset >= TimeSpan.FromHours(-14) && offset <= TimeSpan.FromHours(14);

    private static bool TryDigits(ReadOnlySpan<byte> digits, out int value) =>
        Utf8Parser.TryParse(digits, out value, out var consumed) && consumed == digits.Length && digits[0] is >= (byte)'0' and <= (byte)'9';

    private static void Write4(int value, Span<byte> destination)
    {
        Write2(value / 100, destination);
        Write2(value % 100, destination[2..]);
    }

    private static void Write2(int value, Span<byte> destination)
    {
        destination[0] = (byte)('0' + (value / 10));
        destination[1] = (byte)('0' + (value % 10));
    }
}

/// <summary>JSON reading helpers shared by the JSON device codecs.</summary>
internal static class JsonWire
{
    /// <summary>The UTF-8 byte order mark some firmware puts before its JSON.</summary>
    public static ReadOnlySpan<byte> Bom => "\uFEFF"u8;

    /// <summary>
    /// Refuses what <see cref="System.Text.Json.Utf8JsonReader"/> would only notice later (and then
    /// with an <see cref="InvalidOperationException"/> from <c>GetString</c>): text that is not UTF-8.
    /// </summary>
    public static ReadOnlySpan<byte> CheckedPayload(ReadOnlySpan<byte> payload)
    {
        if (payload.StartsWith(Bom))
        {
            payload = payload[Bom.Length..];
        }

        if (!System.Text.Unicode.Utf8.IsValid(payload))
        {
            throw new PayloadDecodeException("$", "is not valid UTF-8");
        }

        return payload;
    }

    /// <summary>
    /// Reads an ISO 8601 string that must carry its UTC offset. Escaped text (a device may write
    /// <c>+</c> as <c>\u002B</c>, as System.Text.Json's default encoder does) is unescaped first.
    /// </summary>
    public static DateTimeOffset ReadOffsetTime(ref System.Text.Json.Utf8JsonReader reader, string field) =>
        TryReadOffsetTime(ref reader, out var time) is { } reason ? throw new PayloadDecodeException(field, reason) : time;

    /// <summary>As <see cref="ReadOffsetTime"/>, returning the reason instead of throwing (so a caller builds its field path only on failure).</summary>
    public static string? TryReadOffsetTime(ref System.Text.Json.Utf8JsonReader reader, out DateTimeOffset time)
    {
        time = default;
        reader.Read();
        if (reader.TokenType != System.Text.Json.JsonTokenType.String)
        {
            return "must be an ISO 8601 string";
        }

        Span<byte> buffer = stackalloc byte[64];
        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (length > buffer.Length)
        {
            return "is not an ISO 8601 date and time";
        }

        // An instant without an offset is ambiguous across time zones: refuse it rather than guess.
        if (!WireTime.HasOffset(buffer[..reader.CopyString(buffer)]))
        {
            return "must carry a UTC offset (e.g. 2026-03-01T07:58:00+08:00)";
        }

        return reader.TryGetDateTimeOffset(out time) ? null : "is not an ISO 8601 date and time";
    }

    /// <summary>Writer options for device payloads: UTF-8 as devices write it, without HTML escaping of <c>+</c> or non-ASCII names.</summary>
    public static System.Text.Json.JsonWriterOptions WriterOptions(bool indented = false) =>
        new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = indented };
}
