using System.Text;
using CsCheck;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Writes;
using SiteHub.Hub.Influx;
using SiteHub.Protocols.Punches;

namespace SiteHub.Hub.Tests;

public sealed class PunchLinesTests
{
    /// <summary>The schema, as the client library's point: what the sink wrote through it before it wrote lines itself.</summary>
    private static PointData LibraryPoint(Punch punch)
    {
        var point = PointData.Measurement("punch")
            .Tag("site", punch.SiteId)
            .Tag("device", punch.DeviceSn)
            .Tag("direction", punch.Direction.ToString().ToLowerInvariant())
            .Tag("mode", punch.VerifyMode.ToString().ToLowerInvariant())
            .Field("count", 1L)
            .Timestamp(PunchLines.TimestampNanos(punch), WritePrecision.Ns);
        if (punch.GateId is not null)
        {
            point = point.Tag("gate", punch.GateId);
        }

        if (punch.Temperature is { } temp)
        {
            point = point.Field("temperature", temp);
        }

        return point;
    }

    private static string Line(Punch punch)
    {
        var text = new StringBuilder();
        PunchLines.Append(text, punch);
        return text.ToString();
    }

    private static readonly Punch Sample = new DevicePunch("FACE-1", 7, "W0001", new DateTimeOffset(2026, 3, 2, 7, 0, 0, TimeSpan.FromHours(8)), Direction.In, VerifyMode.Face)
        .ToPunch("site-a", "gate-1", Direction.In, new DateTimeOffset(2026, 3, 2, 7, 0, 1, TimeSpan.FromHours(8)), "sitehub-v1");

    [Fact]
    public void A_punch_is_one_line_of_the_punch_schema_without_the_worker()
    {
        var line = Line(Sample with { Temperature = 36.5 });

        Assert.Equal($"punch,device=FACE-1,direction=in,gate=gate-1,mode=face,site=site-a count=1i,temperature=36.5 {PunchLines.TimestampNanos(Sample)}", line);
        Assert.DoesNotContain("W0001", line, StringComparison.Ordinal);
        Assert.Equal(Sample.OccurredAt.ToUnixTimeMilliseconds(), PunchLines.TimestampNanos(Sample) / 1_000_000);
    }

    [Fact]
    public void Lines_are_those_the_client_library_writes_for_the_same_point()
    {
        // Characters the line protocol escapes, and others, in every tag the sink writes.
        var text = Gen.String[Gen.OneOf("aZ0-_ ,=\n\r\t\\\"中é".ToCharArray()), 0, 8];
        var temperature = Gen.Frequency((4, Gen.Double.Select(d => (double?)d)), (1, Gen.OneOf(new double?[] { null, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 36.6, -0.0 })));
        var fields = Gen.Select(text, text, text.Select(g => g.Length == 0 ? null : g), Gen.Int[-1, 4], Gen.Int[-1, 8], temperature, Gen.Long[0, 4_000_000_000_000], Gen.Int[-14 * 60, 14 * 60]);
        Gen.Select(fields, Gen.String[1, 40], (f, eventId) => Sample with
            {
                EventId = eventId,
                SiteId = f.Item1,
                DeviceSn = f.Item2,
                GateId = f.Item3,
                Direction = (Direction)f.Item4,
                VerifyMode = (VerifyMode)f.Item5,
                Temperature = f.Item6,
                OccurredAt = DateTimeOffset.FromUnixTimeMilliseconds(f.Item7).ToOffset(TimeSpan.FromMinutes(f.Item8)),
            })
            .Sample(punch => Assert.Equal(LibraryPoint(punch).ToLineProtocol(), Line(punch)), iter: 20_000);
    }
}
