using CsCheck;
using SiteHub.Protocols.Punches;

namespace SiteHub.Protocols.Tests;

/// <summary>CsCheck generators for the canonical records.</summary>
internal static class Generators
{
    /// <summary>Person ids as terminals hold them: printable, 1–64 characters, some non-ASCII.</summary>
    public static readonly Gen<string> Person =
        Gen.Char["0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_.张王李"].Array[1, 64].Select(c => new string(c));

    /// <summary>Any whole-minute offset a device may be in.</summary>
    public static readonly Gen<TimeSpan> Offset = Gen.Int[-14 * 60, 14 * 60].Select(m => TimeSpan.FromMinutes(m));

    /// <summary>Instants between 2000 and 2099 with sub-second ticks.</summary>
    public static readonly Gen<DateTimeOffset> Time =
        Gen.Select(Gen.Long[new DateTime(2000, 1, 2).Ticks, new DateTime(2099, 12, 30).Ticks], Offset)
            .Select((ticks, offset) => new DateTimeOffset(ticks, offset));

    /// <summary>Whole-second device clocks (ZK and Hikvision have no fractions).</summary>
    public static readonly Gen<DateTimeOffset> WholeSecondTime =
        Time.Select(t => new DateTimeOffset(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), t.Offset));

    public static readonly Gen<Direction> Direction = Gen.Enum<Direction>();

    public static readonly Gen<VerifyMode> Mode = Gen.Enum<VerifyMode>();

    public static Gen<DevicePunch> SiteHubPunch(string sn) =>
        Gen.Select(Gen.Long[0, long.MaxValue].Nullable(), Person, Time, Direction, Mode, Gen.Double[20, 50].Nullable(), Gen.Double[0, 1].Nullable())
            .Select((seq, person, time, dir, mode, temp, liveness) => new DevicePunch(sn, seq, person, time, dir, mode, temp, liveness));
}
