using CsCheck;
using SiteHub.Hub.Reconciliation;

namespace SiteHub.Hub.Tests.Reconciliation;

public sealed class ZoneClockTests
{
    [Theory]
    [InlineData("Asia/Shanghai")]
    [InlineData("Asia/Urumqi")]
    [InlineData("Asia/Kolkata")]
    [InlineData("Europe/Berlin")]
    [InlineData("America/New_York")]
    [InlineData("Australia/Lord_Howe")]
    [InlineData("UTC")]
    public void Local_times_are_those_of_the_zones_rules(string zoneId)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var clock = new ZoneClock(zone);
        Gen.Select(Gen.Long[DateTimeOffset.MinValue.UtcTicks, DateTimeOffset.MaxValue.UtcTicks], Gen.Long[new DateTime(1900, 1, 1).Ticks, new DateTime(2100, 1, 1).Ticks], Gen.Int[0, 3], Gen.Int[-14 * 60, 14 * 60])
            .Select((anyTicks, modernTicks, which, offsetMinutes) =>
            {
                // Mostly instants of the last and next century, where zones changed their rules.
                var utc = which == 0 ? anyTicks : modernTicks;
                var offset = TimeSpan.FromMinutes(offsetMinutes);
                var local = utc + offset.Ticks;
                return local < DateTimeOffset.MinValue.Ticks || local > DateTimeOffset.MaxValue.Ticks
                    ? new DateTimeOffset(utc, TimeSpan.Zero)
                    : new DateTimeOffset(local, offset);
            })
            .Sample(instant => Assert.Equal(TimeZoneInfo.ConvertTime(instant, zone).DateTime, clock.LocalTime(instant)), iter: 50_000);
    }
}
