using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace SiteHub.Hub.Reconciliation;

/// <summary>A calendar month: a wage month (<c>YYYY-MM</c>).</summary>
public readonly record struct YearMonth(int Year, int Month) : IComparable<YearMonth>
{
    /// <summary>The month <paramref name="date"/> falls in.</summary>
    public static YearMonth Of(DateOnly date) => new(date.Year, date.Month);

    /// <summary>The first day.</summary>
    public DateOnly First => new(Year, Month, 1);

    /// <summary>The last day.</summary>
    public DateOnly Last => new(Year, Month, DaysInMonth);

    /// <summary>Number of days.</summary>
    public int DaysInMonth => DateTime.DaysInMonth(Year, Month);

    /// <summary>The month after.</summary>
    public YearMonth Next => Month == 12 ? new(Year + 1, 1) : new(Year, Month + 1);

    /// <summary>Parses <c>YYYY-MM</c>, years 1900–9998 (the due date of a wage month lies in the next month, which must be a date).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out YearMonth month)
    {
        month = default;
        if (text is not { Length: 7 } || text[4] != '-'
            || !int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || !int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var m)
            || year is < 1900 or > 9998 || m is < 1 or > 12)
        {
            return false;
        }

        month = new YearMonth(year, m);
        return true;
    }

    public int CompareTo(YearMonth other) => (Year * 12 + Month).CompareTo(other.Year * 12 + other.Month);

    public static bool operator <(YearMonth left, YearMonth right) => left.CompareTo(right) < 0;

    public static bool operator >(YearMonth left, YearMonth right) => left.CompareTo(right) > 0;

    public static bool operator <=(YearMonth left, YearMonth right) => left.CompareTo(right) <= 0;

    public static bool operator >=(YearMonth left, YearMonth right) => left.CompareTo(right) >= 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Year:0000}-{Month:00}");
}
