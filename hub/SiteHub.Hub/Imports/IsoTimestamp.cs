using System.Buffers.Binary;
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
        if (!TryParseDate(text, out var year, out var month, out var day) || !TryParseTime(text, out var hour, out var minute, out var second, out var offset))
        {
            return false;
        }

        value = new DateTimeOffset(year, month, day, hour, minute, second, offset);
        return true;
    }

    // The date, yyyy-MM-dd, at the start of a text of a length the whole shape can have.
    private static bool TryParseDate<TChar>(ReadOnlySpan<TChar> text, out int year, out int month, out int day)
        where TChar : unmanaged, IBinaryInteger<TChar>
    {
        (month, day) = (0, 0);
        if (text.Length is not (20 or 25) || At(text, 4) != '-' || At(text, 7) != '-'
            || !Digits(text, 0, 4, out year) || !Digits(text, 5, 2, out month) || !Digits(text, 8, 2, out day))
        {
            year = 0;
            return false;
        }

        return year is >= 1900 and <= 9998 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month);
    }

    // What follows the date: THH:mm:ss and Z or ±HH:mm.
    private static bool TryParseTime<TChar>(ReadOnlySpan<TChar> text, out int hour, out int minute, out int second, out TimeSpan offset)
        where TChar : unmanaged, IBinaryInteger<TChar>
    {
        (minute, second, offset) = (0, 0, TimeSpan.Zero);
        if (At(text, 10) != 'T' || At(text, 13) != ':' || At(text, 16) != ':'
            || !Digits(text, 11, 2, out hour) || !Digits(text, 14, 2, out minute) || !Digits(text, 17, 2, out second)
            || hour > 23 || minute > 59 || second > 59)
        {
            hour = 0;
            return false;
        }

        if (text.Length == 20)
        {
            return At(text, 19) == 'Z';
        }

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

        return true;
    }

    /// <summary>
    /// <see cref="TryParse(ReadOnlySpan{byte}, out DateTimeOffset)"/> keeping the last date read:
    /// the rows of a file come in runs of the same day, and reading the date was a good part of
    /// reading a timestamp. One per thread (it is a mutable struct: keep it in one place).
    /// </summary>
    public struct DayCache
    {
        private ulong _dateHead;
        private ushort _dateTail;
        private long _dayTicks;

        /// <summary>As <see cref="IsoTimestamp.TryParse(ReadOnlySpan{byte}, out DateTimeOffset)"/>, to the same value.</summary>
        public bool TryParse(ReadOnlySpan<byte> text, out DateTimeOffset value)
        {
            // The ten bytes of the date are those of the last date read: it was valid then.
            if (_dayTicks > 0 && text.Length is 20 or 25
                && BinaryPrimitives.ReadUInt64LittleEndian(text) == _dateHead && BinaryPrimitives.ReadUInt16LittleEndian(text[8..]) == _dateTail)
            {
                if (!TryParseTime(text, out var hour, out var minute, out var second, out var offset))
                {
                    value = default;
                    return false;
                }

                value = new DateTimeOffset(new DateTime(_dayTicks + (hour * TimeSpan.TicksPerHour) + (minute * TimeSpan.TicksPerMinute) + (second * TimeSpan.TicksPerSecond), DateTimeKind.Unspecified), offset);
                return true;
            }

            if (!IsoTimestamp.TryParse(text, out value))
            {
                return false;
            }

            _dateHead = BinaryPrimitives.ReadUInt64LittleEndian(text);
            _dateTail = BinaryPrimitives.ReadUInt16LittleEndian(text[8..]);
            _dayTicks = value.DateTime.Date.Ticks;
            return true;
        }
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
