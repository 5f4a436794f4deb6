namespace SiteHub.Hub.Reconciliation;

/// <summary>
/// Reads instants as the wall-clock time of a zone, as <see cref="TimeZoneInfo.ConvertTime(DateTimeOffset, TimeZoneInfo)"/>
/// does, without looking up the zone's rules for instants after its last rule change: from then
/// on the zone's offset is its <see cref="TimeZoneInfo.BaseUtcOffset"/> (China's zones have had
/// no change since 1991). The lookup was a large part of matching tens of millions of punches.
/// </summary>
/// <param name="zone">The zone.</param>
internal sealed class ZoneClock(TimeZoneInfo zone)
{
    // Two days after the end of the last adjustment rule (a rule's end is a date, read in local
    // time or UTC depending on the platform); never for a zone whose rules run on (daylight saving).
    private readonly long _fixedFromUtcTicks = FixedFrom(zone);
    private readonly long _baseOffsetTicks = zone.BaseUtcOffset.Ticks;

    /// <summary>The zone.</summary>
    public TimeZoneInfo Zone { get; } = zone;

    /// <summary>The wall-clock time of <paramref name="instant"/> in the zone (<see cref="DateTimeKind.Unspecified"/>).</summary>
    public DateTime LocalTime(DateTimeOffset instant)
    {
        var utc = instant.UtcTicks;
        return utc >= _fixedFromUtcTicks && utc < LastShortcutTicks
            ? new DateTime(utc + _baseOffsetTicks, DateTimeKind.Unspecified)
            : TimeZoneInfo.ConvertTime(instant, Zone).DateTime;
    }

    // Near the end of time, ConvertTime clamps instead of adding the offset.
    private static readonly long LastShortcutTicks = DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay;

    private static long FixedFrom(TimeZoneInfo zone)
    {
        var rules = zone.GetAdjustmentRules();
        if (rules.Length == 0)
        {
            return long.MinValue;
        }

        var lastEnd = rules.Max(r => r.DateEnd);
        return lastEnd >= DateTime.MaxValue.Date.AddDays(-2) ? long.MaxValue : lastEnd.Ticks + (2 * TimeSpan.TicksPerDay);
    }
}
