using System.Numerics;

namespace SiteHub.Hub.Imports;

/// <summary>
/// The one shape of timestamp that devices and exports write nearly always,
/// <c>2024-03-01T08:00:00+08:00</c> (or with <c>Z</c>), read without the general parser, which
/// costs several times as much and dominated reading tens of millions of punches.
/// </summary>
/// <remarks>
/// Only a subset of what <see cref="DateTimeOffset.TryParse(ReadOnlySpan{char}, IFormatProvider?, System.Globalization.DateTimeStyles, out DateTimeOffset)"/>
/// accepts, read to the same value: anything else (fractions of a second, other separators,
/// leap seconds, offsets from ±14:00, years outside 1900–9998) returns <c>false</c> and is left to it.
/// </remarks>
public static class IsoTimestamp
{
    /// <summary>Reads <c>yyyy-MM-ddTHH:mm:ss</c> followed by <c>Z</c> or <c>±HH:mm</c>; <c>false</c> for any other text.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset value) => TryParse<char>(text, out value);

    /// <summary>The same, from ASCII bytes (a CSV field as read).</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out DateTimeOffset value) => TryParse<byte>(text, out value);

    private static bool TryParse<TChar>(ReadOnlySpan<TChar> text, out DateTimeOffset value)
        where TChar : unmanaged, IBinaryInteger<TChar>
    {
        value = default;
        if (text.Length is not (20 or 25) || At(text, 4) != '-' || At(text, 7) != '-' || At(text, 10) != 'T' || At(text, 13) != ':' || At(text, 16) != ':')
        {
            return false;
        }

        if (!Digits(text, 0, 4, out var year) || !Digits(text, 5, 2, out var month) || !Digits(text, 8, 2, out var day)
            || !Digits(text, 11, 2, out var hour) || !Digits(text, 14, 2, out var minute) || !Digits(text, 17, 2, out var second))
        {
            return false;
        }

        if (year is < 1900 or > 9998 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        TimeSpan offset;
        if (text.Length == 20)
        {
            if (At(text, 19) != 'Z')
            {
                return false;
            }

            offset = TimeSpan.Zero;
        }
        else
        {
            if (At(text, 19) is not ('+' or '-') || At(text, 22) != ':' || !Digits(text, 20, 2, out var offsetHours) || !Digits(text, 23, 2, out var offsetMinutes)
                || offsetHours > 13 || offsetMinutes > 59)
            {
                return false;
            }

            offset = new TimeSpan(offsetHours, offsetMinutes, 0);
            if (At(text, 19) == '-')
            {
                offset = -offset;
            }
        }

        value = new DateTimeOffset(year, month, day, hour, minute, second, offset);
        return true;
    }

    private static char At<TChar>(ReadOnlySpan<TChar> text, int index)
        where TChar : unmanaged, IBinaryInteger<TChar> => (char)ushort.CreateTruncating(text[index]);

    private static bool Digits<TChar>(ReadOnlySpan<TChar> text, int start, int count, out int value)
        where TChar : unmanaged, IBinaryInteger<TChar>
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var digit = At(text, i) - '0';
            if ((uint)digit > 9)
            {
                return false;
            }

            value = value * 10 + digit;
        }

        return true;
    }
}
