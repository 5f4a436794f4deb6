using System.Globalization;
using System.Text;
using CsCheck;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.SiteHubV1;

namespace SiteHub.Protocols.Tests;

public sealed class SiteHubV1CodecTests
{
    private const string Sn = "GATE-A-01";

    private static IReadOnlyList<DevicePunch> Decode(string json, string sn = Sn) => SiteHubV1Codec.Decode(Encoding.UTF8.GetBytes(json), sn);

    private static PayloadDecodeException Refused(string json, string sn = Sn) =>
        Assert.Throws<PayloadDecodeException>(() => Decode(json, sn));

    [Fact]
    public void Single_punch_round_trips_through_encode_and_decode() =>
        Generators.SiteHubPunch(Sn).Sample(punch =>
        {
            var decoded = SiteHubV1Codec.Decode(SiteHubV1Codec.EncodePunch(punch), Sn);
            Assert.Equal(punch, Assert.Single(decoded));
        }, iter: 2000);

    [Fact]
    public void Batch_round_trips_through_encode_and_decode() =>
        Generators.SiteHubPunch(Sn).List[1, SiteHubV1Codec.MaxBatch].Sample(punches =>
        {
            var decoded = SiteHubV1Codec.Decode(SiteHubV1Codec.EncodeBatch(Sn, punches), Sn);
            Assert.Equal(punches, decoded);
        }, iter: 200);

    [Theory]
    [InlineData("""{"sn":7,"person":"p","time":"2026-03-02T07:58:01+08:00"}""", "sn")]
    [InlineData("""{"person":"p","time":"2026-03-02T07:58:01+08:00"}""", "sn")]
    [InlineData("""{"sn":"GATE-A-01","seq":-1,"person":"p","time":"2026-03-02T07:58:01+08:00"}""", "seq")]
    [InlineData("""{"sn":"GATE-A-01","seq":"12","person":"p","time":"2026-03-02T07:58:01+08:00"}""", "seq")]
    [InlineData("""{"sn":"GATE-A-01","person":"","time":"2026-03-02T07:58:01+08:00"}""", "person")]
    [InlineData("""{"sn":"GATE-A-01","person":42,"time":"2026-03-02T07:58:01+08:00"}""", "person")]
    [InlineData("""{"sn":"GATE-A-01","time":"2026-03-02T07:58:01+08:00"}""", "person")]
    [InlineData("""{"sn":"GATE-A-01","person":"p"}""", "time")]
    [InlineData("""{"sn":"GATE-A-01","person":"p","time":"2026-03-02T07:58:01"}""", "time")]
    [InlineData("""{"sn":"GATE-A-01","person":"p","time":"yesterday, 8-ish, +08:00"}""", "time")]
    [InlineData("""{"sn":"GATE-A-01","person":"p","time":"2026-03-02T07:58:01+08:00","dir":"sideways"}""", "dir")]
    [InlineData("""{"sn":"GATE-A-01","person":"p","time":"2026-03-02T07:58:01+08:00","mode":"telepathy"}""", "mode")]
    [InlineData("""{"sn":"GATE-A-01","person":"p","time":"2026-03-02T07:58:01+08:00","temp":61.0}""", "temp")]
    [InlineData("""{"sn":"GATE-A-01","person":"p","time":"2026-03-02T07:58:01+08:00","liveness":1.5}""", "liveness")]
    [InlineData("""{"sn":"GATE-A-01","punches":{}}""", "punches")]
    [InlineData("""{"sn":"GATE-A-01","punches":[]}""", "punches")]
    [InlineData("""{"sn":"GATE-A-01","punches":[{"person":"a","time":"2026-03-02T07:58:01+08:00"},{"person":"b","time":"2026-03-02T07:58:01"}]}""", "punches[1].time")]
    [InlineData("""{"sn":"GATE-A-01","punches":[{"person":"a","time":"2026-03-02T07:58:01+08:00"},7]}""", "punches[1]")]
    [InlineData("""{"sn":"GATE-A-01","punches":[{"person":"a","time":"2026-03-02T07:58:01+08:00","punches":[]}]}""", "punches[0].punches")]
    [InlineData("""{"sn":"GATE-A-01","person":"p","time":"2026-03-02T07:58:01+08:00"} trailing""", "$")]
    [InlineData("""[1,2,3]""", "$")]
    public void Every_bad_field_is_named_in_the_error(string json, string field)
    {
        var error = Refused(json);
        Assert.Equal(field, error.Field);
        Assert.StartsWith(field + ":", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Batch_of_200_punches_is_accepted() =>
        Assert.Equal(200, Decode(Batch(200)).Count);

    [Fact]
    public void Batch_of_201_punches_is_refused() =>
        Assert.Equal("punches", Refused(Batch(201)).Field);

    [Fact]
    public void Punch_naming_another_device_than_its_topic_is_refused()
    {
        var error = Refused("""{"sn":"GATE-B-07","person":"p","time":"2026-03-02T07:58:01+08:00"}""");
        Assert.Equal("sn", error.Field);
        Assert.Contains("GATE-B-07", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Time_without_an_offset_is_refused_rather_than_guessed() =>
        Assert.Contains("UTC offset", Refused("""{"sn":"GATE-A-01","person":"p","time":"2026-03-02T07:58:01"}""").Reason, StringComparison.Ordinal);

    [Fact]
    public void Batch_items_take_the_serial_of_the_batch() =>
        Assert.All(Decode(Batch(3)), p => Assert.Equal(Sn, p.Sn));

    [Fact]
    public void Event_id_of_a_numbered_record_is_serial_and_sequence() =>
        Assert.Equal("GATE-A-01:1001", Decode("""{"sn":"GATE-A-01","seq":1001,"person":"p","time":"2026-03-02T07:58:01+08:00"}""")[0].EventId);

    [Fact]
    public void Event_id_is_the_same_for_the_same_record_decoded_twice()
    {
        const string json = """{"sn":"GATE-A-01","person":"W-1","time":"2026-03-02T07:58:01.123+08:00"}""";
        Assert.Equal(Decode(json)[0].EventId, Decode(json)[0].EventId);
    }

    [Fact]
    public void Same_instant_written_with_different_offsets_has_the_same_event_id()
    {
        var shanghai = Decode("""{"sn":"GATE-A-01","person":"W-1","time":"2026-03-02T07:58:01+08:00"}""")[0];
        var utc = Decode("""{"sn":"GATE-A-01","person":"W-1","time":"2026-03-01T23:58:01Z"}""")[0];
        var kathmandu = Decode("""{"sn":"GATE-A-01","person":"W-1","time":"2026-03-02T05:43:01+05:45"}""")[0];
        Assert.Equal(shanghai.EventId, utc.EventId);
        Assert.Equal(shanghai.EventId, kathmandu.EventId);
    }

    [Fact]
    public void Event_id_differs_when_person_instant_or_device_differs()
    {
        var t = new DateTimeOffset(2026, 3, 2, 7, 58, 1, TimeSpan.FromHours(8));
        var ids = new[]
        {
            EventIds.FromContent(Sn, t, "W-1"),
            EventIds.FromContent(Sn, t, "W-2"),
            EventIds.FromContent(Sn, t.AddTicks(1), "W-1"),
            EventIds.FromContent("GATE-A-02", t, "W-1"),
        };
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.Matches("^GATE-A-01:h[0-9a-f]{16}$", ids[0]);
    }

    [Fact]
    public void Event_id_is_deterministic_for_any_punch() =>
        Gen.Select(Generators.Time, Generators.Person, Generators.Offset).Sample((time, person, other) =>
            Assert.Equal(EventIds.FromContent(Sn, time, person), EventIds.FromContent(Sn, time.ToOffset(other), person)), iter: 2000);

    [Fact]
    public void Content_event_id_is_the_sha256_of_serial_utc_ticks_and_person()
    {
        static string Reference(string sn, DateTimeOffset time, string person)
        {
            var hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{sn}|{time.UtcTicks}|{person}")));
            return $"{sn}:h{Convert.ToHexStringLower(hash, 0, 8)}";
        }

        Gen.Select(Gen.String[1, 64], Generators.Time, Gen.String[1, 400]).Sample((sn, time, person) =>
            Assert.Equal(Reference(sn, time, person), EventIds.FromContent(sn, time, person)), iter: 2000);
    }

    private static string Batch(int count)
    {
        var items = Enumerable.Range(0, count).Select(i =>
            string.Create(CultureInfo.InvariantCulture, $$"""{"seq":{{i}},"person":"W-{{i}}","time":"2026-03-02T07:58:01+08:00","dir":"in","mode":"face"}"""));
        return $$"""{"sn":"{{Sn}}","punches":[{{string.Join(',', items)}}]}""";
    }
}
