using System.Globalization;

namespace SiteHub.Gateway.Devices;

/// <summary>UTC offsets as site admins type them (<c>+08:00</c>, <c>-05:30</c>, <c>+8</c>).</summary>
public static class UtcOffsets
{
    /// <summary>Reads an offset of whole minutes within ±14 h: the range devices and ISO 8601 allow.</summary>
    public static bool TryParse(string? text, out TimeSpan offset)
    {
        offset = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        var negative = text[0] == '-';
        var body = text[0] is '+' or '-' ? text[1..] : text;
        TimeSpan magnitude;
        if (int.TryParse(body, NumberStyles.None, CultureInfo.InvariantCulture, out var hours))
        {
            magnitude = TimeSpan.FromHours(hours);
        }
        else if (!TimeSpan.TryParseExact(body, ["hh\\:mm", "h\\:mm"], CultureInfo.InvariantCulture, out magnitude))
        {
            return false;
        }

        if (magnitude > TimeSpan.FromHours(14) || magnitude.Ticks % TimeSpan.TicksPerMinute != 0)
        {
            return false;
        }

        offset = negative ? -magnitude : magnitude;
        return true;
    }
}
