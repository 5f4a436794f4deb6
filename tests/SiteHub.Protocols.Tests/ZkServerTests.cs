using System.Text;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.ZkAdms;

namespace SiteHub.Protocols.Tests;

public sealed class ZkServerTests
{
    [Fact]
    public void Handshake_reply_lists_the_options_in_the_documented_order()
    {
        var reply = ZkServer.HandshakeReply("ZK1", new ZkHandshakeOptions(AttLogStamp: 9999, OperLogStamp: 42));
        Assert.Equal(
            "GET OPTION FROM: ZK1\nATTLOGStamp=9999\nOPERLOGStamp=42\nATTPHOTOStamp=None\nErrorDelay=30\nDelay=10\n" +
            "TransTimes=00:00;14:05\nTransInterval=1\nTransFlag=TransData AttLog\tOpLog\tEnrollUser\tChgUser\nTimeZone=8\nRealtime=1\nEncrypt=0\n",
            reply);
    }

    [Fact]
    public void Handshake_reply_omits_a_time_zone_the_firmware_would_truncate()
    {
        var reply = ZkServer.HandshakeReply("ZK1", new ZkHandshakeOptions { TimeZone = new TimeSpan(5, 30, 0) });
        Assert.DoesNotContain("TimeZone=", reply, StringComparison.Ordinal);
        Assert.Contains("TimeZone=-3\n", ZkServer.HandshakeReply("ZK1", new ZkHandshakeOptions { TimeZone = TimeSpan.FromHours(-3) }), StringComparison.Ordinal);
    }

    [Fact]
    public void Handshake_reply_reads_back_as_the_device_sees_it()
    {
        var options = new ZkHandshakeOptions(7, null, 3) { Delay = TimeSpan.FromSeconds(5), Realtime = false };
        var parsed = ZkServer.ParseHandshakeReply(ZkServer.HandshakeReply("ZK-9", options).Replace("\n", "\r\n", StringComparison.Ordinal));
        Assert.Equal("ZK-9", parsed.Sn);
        Assert.Equal("7", parsed.Options["ATTLOGStamp"]);
        Assert.Equal("None", parsed.Options["OPERLOGStamp"]);
        Assert.Equal("5", parsed.Options["Delay"]);
        Assert.Equal("0", parsed.Options["Realtime"]);
    }

    [Fact]
    public void Handshake_reply_that_is_not_one_is_refused() =>
        Assert.Throws<PayloadDecodeException>(() => ZkServer.ParseHandshakeReply("OK"));

    [Theory]
    [InlineData(0, "OK: 0")]
    [InlineData(17, "OK: 17")]
    public void Upload_is_answered_with_its_count(int count, string expected)
    {
        Assert.Equal(expected, ZkServer.UploadReply(count));
        Assert.True(ZkServer.TryParseUploadReply(expected, out var back));
        Assert.Equal(count, back);
    }

    [Theory]
    [InlineData("ERROR")]
    [InlineData("OK: -1")]
    [InlineData("OK: many")]
    public void Upload_reply_that_is_no_count_is_not_read_as_one(string reply) =>
        Assert.False(ZkServer.TryParseUploadReply(reply, out _));

    [Fact]
    public void Other_tables_are_counted_line_by_line()
    {
        var upload = ZkTables.Decode(Encoding.UTF8.GetBytes("\uFEFFOPLOG 4\t0\t2026-03-02 08:00:00\t0\t0\t0\t0\r\nUSER PIN=1001\tName=张三\tPri=0\r\n\r\nFP PIN=1001\tFID=1\tSize=1024\tValid=1\tTMP=AAAA\r\n"), "OPERLOG");
        Assert.Equal(3, upload.Count);
        Assert.Equal("USER PIN=1001\tName=张三\tPri=0", upload.Lines[1]);
        Assert.Equal("OPERLOG", upload.Table);
    }
}

public sealed class ZkCommandsTests
{
    [Fact]
    public void Enrolment_command_carries_pin_name_and_privilege_tab_separated() =>
        Assert.Equal("C:12:DATA UPDATE USERINFO PIN=1001\tName=Zhang San\tPri=0\tCard=998877", ZkCommands.UpsertUser(12, "1001", "Zhang San", card: "998877"));

    [Fact]
    public void Name_with_tabs_or_line_breaks_cannot_split_the_record() =>
        Assert.Equal("C:1:DATA UPDATE USERINFO PIN=7\tName=A  B\tPri=0", ZkCommands.UpsertUser(1, "7", "A\t\nB"));

    [Theory]
    [InlineData("10 01")]
    [InlineData("1001\t")]
    [InlineData("PIN=1")]
    [InlineData("")]
    public void Pin_that_would_break_the_command_line_is_a_caller_error(string pin) =>
        Assert.ThrowsAny<ArgumentException>(() => ZkCommands.DeleteUser(1, pin));

    [Fact]
    public void Simple_commands_have_their_documented_shape()
    {
        Assert.Equal("C:3:DATA DELETE USERINFO PIN=1001", ZkCommands.DeleteUser(3, "1001"));
        Assert.Equal("C:4:REBOOT", ZkCommands.Reboot(4));
        Assert.Equal("C:5:CONTROL DEVICE 01010105", ZkCommands.OpenDoor(5));
        Assert.Equal("C:6:CONTROL DEVICE 01020114", ZkCommands.OpenDoor(6, door: 2, seconds: 20));
        Assert.Equal("C:7:AC_UNLOCK", ZkCommands.Unlock(7));
    }

    [Fact]
    public void Clock_is_set_with_the_firmwares_packed_time()
    {
        // ((26*12 + 2)*31 + 1)*86400 + 7*3600 + 58*60 + 1 for 2026-03-02 07:58:01.
        Assert.Equal("C:8:SET OPTION DateTime=841132681", ZkCommands.SetTime(8, new DateTime(2026, 3, 2, 7, 58, 1)));
        Assert.True(ZkCommands.TryUnpackTime(841132681, out var back));
        Assert.Equal(new DateTime(2026, 3, 2, 7, 58, 1), back);
        Assert.False(ZkCommands.TryUnpackTime(ZkCommands.PackTime(new DateTime(2026, 2, 28)) + 86400, out _));
    }

    [Fact]
    public void Every_command_parses_back_to_its_kind_and_fields()
    {
        string[] lines =
        [
            ZkCommands.UpsertUser(1, "1001", "Li Si", privilege: 14),
            ZkCommands.DeleteUser(2, "1001"),
            ZkCommands.Reboot(3),
            ZkCommands.OpenDoor(4),
            ZkCommands.Unlock(5),
            ZkCommands.SetTime(6, new DateTime(2026, 3, 2)),
            "C:7:INFO",
        ];
        var parsed = lines.Select(l => ZkCommands.TryParse(l, out var c) ? c : null).ToArray();
        Assert.Equal(
            [ZkCommandKind.UpsertUser, ZkCommandKind.DeleteUser, ZkCommandKind.Reboot, ZkCommandKind.OpenDoor, ZkCommandKind.Unlock, ZkCommandKind.SetTime, ZkCommandKind.Other],
            parsed.Select(c => c!.Kind));
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], parsed.Select(c => c!.Id));
        Assert.Equal("Li Si", parsed[0]!.Fields["Name"]);
        Assert.Equal("14", parsed[0]!.Fields["Pri"]);
        Assert.Equal("1001", parsed[1]!.Fields["PIN"]);
        Assert.Equal("DATA", parsed[0]!.ResultName);
        Assert.Equal("REBOOT", parsed[2]!.ResultName);
    }

    [Theory]
    [InlineData("OK")]
    [InlineData("C:x:REBOOT")]
    [InlineData("C:12")]
    public void Line_that_is_no_command_does_not_parse(string line) =>
        Assert.False(ZkCommands.TryParse(line, out _));

    [Fact]
    public void Poll_reply_is_ok_when_nothing_is_queued_and_one_command_per_line_otherwise()
    {
        Assert.Equal("OK", ZkCommands.RequestReply([]));
        Assert.Equal("C:1:REBOOT\nC:2:AC_UNLOCK\n", ZkCommands.RequestReply([ZkCommands.Reboot(1), ZkCommands.Unlock(2)]));
    }

    [Fact]
    public void Command_results_are_read_line_by_line_and_bad_lines_reported()
    {
        var body = Encoding.UTF8.GetBytes(ZkCommands.ResultLine(1, 0, "DATA") + "\r\n" + "ID=2&Return=-1002&CMD=REBOOT\n" + "Return=0&CMD=DATA\n" + "ID=4&CMD=DATA\n");
        var results = ZkCommands.ParseResults(body);
        Assert.Equal([new ZkCommandResult(1, 0, "DATA"), new ZkCommandResult(2, -1002, "REBOOT")], results.Results);
        Assert.True(results.Results[0].Succeeded);
        Assert.False(results.Results[1].Succeeded);
        Assert.Equal([3, 4], results.Errors.Select(e => e.Line));
    }
}
