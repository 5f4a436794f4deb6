using System.Text;
using CsCheck;
using SiteHub.Protocols.Devices;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.Turnstile;

namespace SiteHub.Protocols.Tests;

public sealed class TurnstileV1CodecTests
{
    private const string Sn = "TS-GATE-A-01";

    private static TurnstilePassage Decode(string json) => TurnstileV1Codec.Decode(Encoding.UTF8.GetBytes(json), Sn);

    [Fact]
    public void Passage_round_trips_through_encode_and_decode() =>
        Gen.Select(Gen.Long[0, long.MaxValue].Nullable(), Gen.Int[0, TurnstileV1Codec.MaxLane], Gen.OneOf(Direction.In, Direction.Out), Generators.Time,
                Gen.Char["0123456789"].Array[1, 20].Select(c => new string(c)).Null())
            .Sample((seq, lane, dir, time, card) =>
            {
                var passage = new TurnstilePassage(Sn, seq, lane, dir, time, card);
                Assert.Equal(passage, TurnstileV1Codec.Decode(TurnstileV1Codec.Encode(passage), Sn));
            }, iter: 1000);

    [Theory]
    [InlineData("""{"lane":1,"dir":"in","time":"2026-03-02T07:58:03+08:00"}""", "sn")]
    [InlineData("""{"sn":"TS-OTHER","lane":1,"dir":"in","time":"2026-03-02T07:58:03+08:00"}""", "sn")]
    [InlineData("""{"sn":"TS-GATE-A-01","dir":"in","time":"2026-03-02T07:58:03+08:00"}""", "lane")]
    [InlineData("""{"sn":"TS-GATE-A-01","lane":99,"dir":"in","time":"2026-03-02T07:58:03+08:00"}""", "lane")]
    [InlineData("""{"sn":"TS-GATE-A-01","lane":1,"time":"2026-03-02T07:58:03+08:00"}""", "dir")]
    [InlineData("""{"sn":"TS-GATE-A-01","lane":1,"dir":"unknown","time":"2026-03-02T07:58:03+08:00"}""", "dir")]
    [InlineData("""{"sn":"TS-GATE-A-01","lane":1,"dir":"in"}""", "time")]
    [InlineData("""{"sn":"TS-GATE-A-01","lane":1,"dir":"in","time":"2026-03-02T07:58:03"}""", "time")]
    [InlineData("""{"sn":"TS-GATE-A-01","seq":1.5,"lane":1,"dir":"in","time":"2026-03-02T07:58:03+08:00"}""", "seq")]
    [InlineData("""{"sn":"TS-GATE-A-01","lane":1,"dir":"in","time":"2026-03-02T07:58:03+08:00","card":5}""", "card")]
    [InlineData("""{"sn":"TS-GATE-A-01","lane":1,"dir":"in","time":"2026-03-02T07:58:03+08:00"}{}""", "$")]
    public void Every_bad_field_is_named_in_the_error(string json, string field) =>
        Assert.Equal(field, Assert.Throws<PayloadDecodeException>(() => Decode(json)).Field);

    [Fact]
    public void Passage_without_a_sequence_has_a_content_id_that_a_resend_repeats()
    {
        const string json = """{"sn":"TS-GATE-A-01","lane":2,"dir":"out","time":"2026-03-02T17:31:02+08:00"}""";
        Assert.Equal(Decode(json).EventId, Decode(json).EventId);
        Assert.NotEqual(Decode(json).EventId, Decode(json.Replace("\"lane\":2", "\"lane\":3", StringComparison.Ordinal)).EventId);
    }

    [Fact]
    public void Tailgating_event_names_the_lane_and_the_card()
    {
        var passage = new TurnstilePassage(Sn, 5, 2, Direction.In, new DateTimeOffset(2026, 3, 2, 7, 58, 3, TimeSpan.FromHours(8)), "998877");
        var e = passage.ToTailgatingEvent();
        Assert.Equal(DeviceEventType.Tailgating, e.Type);
        Assert.Equal("998877", e.Person);
        Assert.Equal(5, e.Seq);
        Assert.Contains("lane 2", e.Description, StringComparison.Ordinal);
    }
}

public sealed class TailgatingDetectorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 7, 58, 0, TimeSpan.FromHours(8));
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);
    private static readonly DateTimeOffset Later = T0.AddHours(1);

    private static DevicePunch Face(string person, double seconds, Direction dir = Direction.Unknown) =>
        new("FACE-1", null, person, T0.AddSeconds(seconds), dir, VerifyMode.Face);

    private static TurnstilePassage Pass(double seconds, Direction dir = Direction.In, long? seq = null) =>
        new("TS-1", seq, 1, dir, T0.AddSeconds(seconds));

    [Fact]
    public void Tailgating_is_raised_for_a_passage_without_a_verification()
    {
        var result = TailgatingDetector.Fuse([Face("W-1", 0)], [Pass(2, seq: 1), Pass(3, seq: 2)], Later, Window);
        Assert.Equal("W-1", Assert.Single(result.Matched).Verification.Person);
        Assert.Equal(2, Assert.Single(result.Tailgating).Seq);
    }

    [Fact]
    public void Passage_long_after_the_verification_is_tailgating()
    {
        var result = TailgatingDetector.Fuse([Face("W-1", 0)], [Pass(11)], Later, Window);
        Assert.Single(result.Tailgating);
        Assert.Equal("W-1", Assert.Single(result.NoPassage).Person);
    }

    [Fact]
    public void Verification_without_a_passage_is_kept_and_flagged_not_dropped()
    {
        var result = TailgatingDetector.Fuse([Face("W-1", 0), Face("W-2", 1)], [Pass(2)], Later, Window);
        Assert.Equal("W-1", Assert.Single(result.Matched).Verification.Person);
        Assert.Equal("W-2", Assert.Single(result.NoPassage).Person);
        Assert.Empty(result.Tailgating);
    }

    [Fact]
    public void Queue_of_people_is_matched_first_come_first_served()
    {
        var result = TailgatingDetector.Fuse([Face("W-2", 4), Face("W-1", 0)], [Pass(12), Pass(5)], Later, Window);
        Assert.Equal([("W-1", 5.0), ("W-2", 12.0)], result.Matched.Select(m => (m.Verification.Person, (m.Passage.Time - T0).TotalSeconds)));
        Assert.Empty(result.Tailgating);
        Assert.Empty(result.NoPassage);
    }

    [Fact]
    public void Verification_for_the_other_direction_does_not_cover_a_passage()
    {
        var result = TailgatingDetector.Fuse([Face("W-1", 0, Direction.Out)], [Pass(2, Direction.In)], Later, Window);
        Assert.Single(result.Tailgating);
        Assert.Single(result.NoPassage);
    }

    [Fact]
    public void Clock_tolerance_lets_a_passage_stamped_just_before_its_verification_match()
    {
        Assert.Single(TailgatingDetector.Fuse([Face("W-1", 1)], [Pass(0)], Later, Window).Tailgating);
        Assert.Single(TailgatingDetector.Fuse([Face("W-1", 1)], [Pass(0)], Later, Window, TimeSpan.FromSeconds(2)).Matched);
    }

    [Fact]
    public void Items_too_recent_to_judge_are_pending_not_decided()
    {
        var asOf = T0.AddSeconds(5);
        var result = TailgatingDetector.Fuse([Face("W-1", 4, Direction.Out)], [Pass(4.5, Direction.In, 9)], asOf, Window, TimeSpan.FromSeconds(1));
        Assert.Equal("W-1", Assert.Single(result.PendingVerifications).Person);
        Assert.Equal(9, Assert.Single(result.PendingPassages).Seq);
        Assert.Empty(result.Tailgating);
        Assert.Empty(result.NoPassage);
    }

    [Fact]
    public void Every_input_lands_in_exactly_one_outcome_and_matches_respect_the_window()
    {
        var face = Gen.Select(Gen.Int[0, 600], Gen.Enum<Direction>()).Select((s, d) => Face("W", s, d));
        var passage = Gen.Select(Gen.Int[0, 600], Gen.OneOf(Direction.In, Direction.Out)).Select((s, d) => Pass(s, d));
        Gen.Select(face.List[0, 40], passage.List[0, 40], Gen.Int[0, 700], Gen.Int[0, 3]).Sample((faces, passages, now, tolerance) =>
        {
            var tol = TimeSpan.FromSeconds(tolerance);
            var r = TailgatingDetector.Fuse(faces, passages, T0.AddSeconds(now), Window, tol);
            Assert.Equal(faces.Count, r.Matched.Count + r.NoPassage.Count + r.PendingVerifications.Count);
            Assert.Equal(passages.Count, r.Matched.Count + r.Tailgating.Count + r.PendingPassages.Count);
            Assert.All(r.Matched, m =>
            {
                Assert.InRange(m.Passage.Time - m.Verification.Time, -tol, Window);
                Assert.True(m.Verification.Direction == Direction.Unknown || m.Verification.Direction == m.Passage.Direction);
            });
        }, iter: 1000);
    }
}
