using System.Buffers;
using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using SiteHub.Protocols.Punches;

namespace SiteHub.Hub.Influx;

/// <summary>
/// The InfluxDB line of a punch, appended straight to the request's text: the same line the
/// client library's <c>PointData</c> writes (the tests hold the two equal), without building a
/// point of immutable sorted dictionaries per punch, one copy per tag and field, and a string of
/// its own — that was most of the sink's CPU at the hub's full rate.
/// </summary>
/// <remarks>
/// <c>punch,device=…,direction=…,gate=…,mode=…,site=… count=1i,temperature=… timestamp-in-ns</c>:
/// tags in key order, as the library sorts them, escaped as it escapes them; an empty tag value
/// and a temperature that is not a finite number are left out, as it leaves them out.
/// </remarks>
public static class PunchLines
{
    private static readonly SearchValues<char> NeedEscaping = SearchValues.Create(" ,=\n\r\t");
    private static readonly FrozenDictionary<Direction, string> Directions = Enum.GetValues<Direction>().ToFrozenDictionary(d => d, d => d.ToString().ToLowerInvariant());
    private static readonly FrozenDictionary<VerifyMode, string> Modes = Enum.GetValues<VerifyMode>().ToFrozenDictionary(m => m, m => m.ToString().ToLowerInvariant());

    /// <summary>Appends the punch's line (no line feed).</summary>
    public static void Append(StringBuilder text, Punch punch)
    {
        text.Append("punch");
        Tag(text, "device", punch.DeviceSn);
        Tag(text, "direction", Directions.TryGetValue(punch.Direction, out var direction) ? direction : punch.Direction.ToString().ToLowerInvariant());
        Tag(text, "gate", punch.GateId);
        Tag(text, "mode", Modes.TryGetValue(punch.VerifyMode, out var mode) ? mode : punch.VerifyMode.ToString().ToLowerInvariant());
        Tag(text, "site", punch.SiteId);
        text.Append(" count=1i");
        if (punch.Temperature is { } temperature && double.IsFinite(temperature))
        {
            text.Append(",temperature=").Append(temperature.ToString(CultureInfo.InvariantCulture));
        }

        text.Append(' ').Append(TimestampNanos(punch));
    }

    /// <summary>
    /// The punch's instant in ms, in ns, plus a sub-millisecond part derived from the event id
    /// (FNV-1a): a rewrite after a crash overwrites itself, and two people at one gate in the same
    /// millisecond stay two points.
    /// </summary>
    public static long TimestampNanos(Punch punch)
    {
        var hash = 2166136261u;
        foreach (var c in punch.EventId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (punch.OccurredAt.ToUnixTimeMilliseconds() * 1_000_000) + (hash % 1_000_000);
    }

    private static void Tag(StringBuilder text, string key, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        text.Append(',').Append(key).Append('=');
        if (!value.AsSpan().ContainsAny(NeedEscaping))
        {
            text.Append(value);
            return;
        }

        foreach (var c in value)
        {
            _ = c switch
            {
                '\n' => text.Append("\\n"),
                '\r' => text.Append("\\r"),
                '\t' => text.Append("\\t"),
                ' ' or ',' or '=' => text.Append('\\').Append(c),
                _ => text.Append(c),
            };
        }
    }
}
