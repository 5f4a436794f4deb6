using System.Text;
using CsCheck;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.ZkAdms;

namespace SiteHub.Protocols.Tests;

public sealed class ZkAttlogTests
{
    private const string Sn = "ZK-CQZ7232300123";
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    private static ZkAttlogResult Decode(string body, TimeSpan? offset = null) =>
        ZkAttlog.Decode(Encoding.UTF8.GetBytes(body), Sn, offset ?? Shanghai);

    [Fact]
    public void Attlog_line_without_time_is_reported_with_its_line_number()
    {
        var result = Decode("1001\t2026-03-02 07:58:01\t0\t15\n1002\n1003\t2026-03-02 07:58:09\t0\t1\n");
        var error = Assert.Single(result.Errors);
        Assert.Equal(new ZkLineError(2, "time is missing", "1002"), error);
        Assert.Equal(["1001", "1003"], result.Punches.Select(p => p.Person));
    }

    [Fact]
    public void Good_lines_still_decode_around_bad_ones()
    {
        var result = Decode("bad line\n\n1001\t2026-03-02 07:58:01\t0\t15\r\n\t2026-03-02 07:58:01\n1002\t2026-13-01 00:00:00\n1003\t2026-03-02 07:58:01\t0\t15\n");
        Assert.Equal(2, result.Punches.Count);
        Assert.Equal([1, 4, 5], result.Errors.Select(e => e.Line));
        Assert.Equal(5, result.RecordCount);
    }

    [Fact]
    public void Device_clock_is_read_in_the_devices_offset()
    {
        var punch = Decode("1001\t2026-03-02 07:58:01\t0\t15\n", TimeSpan.FromMinutes(345)).Punches[0];
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 7, 58, 1, TimeSpan.FromMinutes(345)), punch.Time);
        Assert.Equal(TimeSpan.FromMinutes(345), punch.Time.Offset);
    }

    [Fact]
    public void Resent_record_gets_the_same_event_id_and_another_person_another()
    {
        var first = Decode("1001\t2026-03-02 07:58:01\t0\t15\n").Punches[0];
        var resent = Decode("\uFEFF1001\t2026-03-02 07:58:01\t0\t15\t0\t0\t0\r\n").Punches[0];
        var other = Decode("1002\t2026-03-02 07:58:01\t0\t15\n").Punches[0];
        Assert.Equal(first.EventId, resent.EventId);
        Assert.NotEqual(first.EventId, other.EventId);
        Assert.Null(first.Seq);
    }

    [Theory]
    [InlineData(0, Direction.In)]
    [InlineData(1, Direction.Out)]
    [InlineData(2, Direction.Out)]
    [InlineData(3, Direction.In)]
    [InlineData(4, Direction.In)]
    [InlineData(5, Direction.Out)]
    [InlineData(255, Direction.Unknown)]
    public void Attendance_status_maps_to_direction(int status, Direction expected) =>
        Assert.Equal(expected, Decode($"1\t2026-03-02 07:58:01\t{status}\t15\n").Punches[0].Direction);

    [Theory]
    [InlineData(0, VerifyMode.Unknown)]
    [InlineData(1, VerifyMode.Fingerprint)]
    [InlineData(2, VerifyMode.Card)]
    [InlineData(15, VerifyMode.Face)]
    [InlineData(25, VerifyMode.Unknown)]
    public void Verify_code_maps_to_verify_mode(int verify, VerifyMode expected) =>
        Assert.Equal(expected, Decode($"1\t2026-03-02 07:58:01\t0\t{verify}\n").Punches[0].Mode);

    [Theory]
    [InlineData("\t2026-03-02 07:58:01\t0\t1", "PIN is empty")]
    [InlineData("1001\t\t0\t1", "time is missing")]
    [InlineData("1001\t2026-03-02T07:58:01\t0\t1", "time '2026-03-02T07:58:01' is not a valid yyyy-MM-dd HH:mm:ss between 2000 and 2099")]
    [InlineData("1001\t1999-12-31 23:59:59\t0\t1", "time '1999-12-31 23:59:59' is not a valid yyyy-MM-dd HH:mm:ss between 2000 and 2099")]
    [InlineData("1001\t2025-02-29 08:00:00\t0\t1", "time '2025-02-29 08:00:00' is not a valid yyyy-MM-dd HH:mm:ss between 2000 and 2099")]
    [InlineData("1001\t2026-03-02 24:00:00\t0\t1", "time '2026-03-02 24:00:00' is not a valid yyyy-MM-dd HH:mm:ss between 2000 and 2099")]
    [InlineData("1001\t2026-03-02 07:58:01\t-1\t1", "status '-1' is not a number")]
    [InlineData("1001\t2026-03-02 07:58:01\t0\tface", "verify 'face' is not a number")]
    [InlineData("10\u000101\t2026-03-02 07:58:01\t0\t1", "PIN has control characters or is not UTF-8")]
    public void Unreadable_line_is_reported_with_the_reason(string line, string reason) =>
        Assert.Equal(reason, Assert.Single(Decode(line + "\n").Errors).Reason);

    [Fact]
    public void Leap_day_is_a_real_date() =>
        Assert.Single(Decode("1001\t2028-02-29 08:00:00\t0\t1\n").Punches);

    [Fact]
    public void Overlong_pin_is_refused() =>
        Assert.StartsWith("PIN is longer", Assert.Single(Decode(new string('9', 65) + "\t2026-03-02 07:58:01\n").Errors).Reason, StringComparison.Ordinal);

    [Fact]
    public void Invalid_utf8_in_a_pin_is_refused_and_shown_with_replacement_characters()
    {
        var body = new byte[] { (byte)'1', 0xFF, (byte)'\t' }.Concat(Encoding.ASCII.GetBytes("2026-03-02 07:58:01\n")).ToArray();
        var error = Assert.Single(ZkAttlog.Decode(body, Sn, Shanghai).Errors);
        Assert.Equal("PIN has control characters or is not UTF-8", error.Reason);
        Assert.Contains('\uFFFD', error.Raw);
    }

    [Fact]
    public void Empty_body_and_blank_lines_are_no_records()
    {
        Assert.Equal(0, Decode("").RecordCount);
        Assert.Equal(0, Decode("\r\n\n  \t\n").RecordCount);
        Assert.Equal(0, Decode("\uFEFF").RecordCount);
    }

    [Fact]
    public void Last_line_without_a_line_end_still_counts() =>
        Assert.Single(Decode("1001\t2026-03-02 07:58:01\t0\t15").Punches);

    [Theory]
    [InlineData(30)]
    [InlineData(15 * 3600)]
    public void Offset_that_no_device_can_have_is_a_caller_error(int seconds) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Decode("", TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Encoded_punches_decode_to_the_same_punches()
    {
        var zkModes = Gen.OneOf(VerifyMode.Unknown, VerifyMode.Fingerprint, VerifyMode.Card, VerifyMode.Face);
        var punch = Gen.Select(Gen.Char["0123456789ABCDEFGHJKLMNPQRSTUVWXYZ-_"].Array[1, 24].Select(c => new string(c)), Generators.WholeSecondTime.Select(t => new DateTimeOffset(t.DateTime, Shanghai)), Generators.Direction, zkModes)
            .Select((person, time, dir, mode) => new DevicePunch(Sn, null, person, time, dir, mode));
        Gen.Select(punch.List[0, 50], Gen.Bool).Sample((punches, crlf) =>
        {
            var result = ZkAttlog.Decode(ZkAttlog.Encode(punches, crlf ? "\r\n" : "\n"), Sn, Shanghai);
            Assert.Empty(result.Errors);
            Assert.Equal(punches, result.Punches);
        }, iter: 500);
    }
}
