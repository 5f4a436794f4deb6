using System.Text;
using CsCheck;
using SiteHub.Protocols.Devices;
using SiteHub.Protocols.HikIsapi;
using SiteHub.Protocols.Punches;

namespace SiteHub.Protocols.Tests;

public sealed class HikIsapiCodecTests
{
    private const string Sn = "HIK-K1T671-01";
    private static readonly DateTimeOffset At = new(2026, 3, 2, 7, 58, 1, TimeSpan.FromHours(8));

    private static HikDecodeResult Decode(HikAccessEvent e, IReadOnlyDictionary<int, Direction>? doors = null) =>
        HikIsapiCodec.Decode(HikIsapiCodec.EncodeAccessEvent(e), Sn, doors);

    private static HikDecodeResult Decode(string json) => HikIsapiCodec.Decode(Encoding.UTF8.GetBytes(json), Sn);

    private static DevicePunch PunchOf(HikDecodeResult result) => Assert.IsType<HikPunchResult>(result).Punch;

    [Fact]
    public void Face_verified_with_checkIn_is_an_in_punch_under_the_registered_serial()
    {
        var punch = PunchOf(Decode(new HikAccessEvent(At, HikEventCodes.FacePass, 4521, EmployeeNo: "W-1", DoorNo: 2, AttendanceStatus: "checkIn")));
        Assert.Equal(new DevicePunch(Sn, 4521, "W-1", At, Direction.In, VerifyMode.Face), punch);
        Assert.Equal("HIK-K1T671-01:4521", punch.EventId);
    }

    [Theory]
    [InlineData("checkIn", Direction.In)]
    [InlineData("breakIn", Direction.In)]
    [InlineData("overtimeIn", Direction.In)]
    [InlineData("checkOut", Direction.Out)]
    [InlineData("breakOut", Direction.Out)]
    [InlineData("overtimeOut", Direction.Out)]
    public void Attendance_status_sets_the_direction_whatever_the_door(string status, Direction expected) =>
        Assert.Equal(expected, PunchOf(Decode(new HikAccessEvent(At, HikEventCodes.FacePass, 1, EmployeeNo: "W-1", DoorNo: 2, AttendanceStatus: status))).Direction);

    [Theory]
    [InlineData(1, Direction.In)]
    [InlineData(2, Direction.Out)]
    [InlineData(3, Direction.Unknown)]
    public void Without_attendance_status_door_1_is_in_and_door_2_is_out(int door, Direction expected) =>
        Assert.Equal(expected, PunchOf(Decode(new HikAccessEvent(At, HikEventCodes.FacePass, 1, EmployeeNo: "W-1", DoorNo: door, AttendanceStatus: "undefined"))).Direction);

    [Fact]
    public void Gate_door_map_overrides_the_default_door_directions()
    {
        var reversed = new Dictionary<int, Direction> { [1] = Direction.Out, [2] = Direction.In };
        Assert.Equal(Direction.Out, PunchOf(Decode(new HikAccessEvent(At, HikEventCodes.FacePass, 1, EmployeeNo: "W-1", DoorNo: 1), reversed)).Direction);
    }

    [Fact]
    public void Punch_without_door_or_status_leaves_the_direction_to_the_gate() =>
        Assert.Equal(Direction.Unknown, PunchOf(Decode(new HikAccessEvent(At, HikEventCodes.FacePass, 1, EmployeeNo: "W-1"))).Direction);

    [Fact]
    public void Card_number_is_the_person_when_there_is_no_employee_number()
    {
        var punch = PunchOf(Decode(new HikAccessEvent(At, HikEventCodes.CardPass, 9, CardNo: "3170884532")));
        Assert.Equal("3170884532", punch.Person);
        Assert.Equal(VerifyMode.Card, punch.Mode);
    }

    [Fact]
    public void Employee_number_wins_over_card_number() =>
        Assert.Equal("W-1", PunchOf(Decode(new HikAccessEvent(At, HikEventCodes.CardPass, 9, EmployeeNo: "W-1", CardNo: "3170884532"))).Person);

    [Theory]
    [InlineData(0x01, VerifyMode.Card)]
    [InlineData(0x26, VerifyMode.Fingerprint)]
    [InlineData(0x4b, VerifyMode.Face)]
    [InlineData(0x4d, VerifyMode.Face)]
    [InlineData(0x69, VerifyMode.IdCard)]
    [InlineData(0x9c, VerifyMode.Qr)]
    public void Verify_mode_comes_from_the_minor_code(int minor, VerifyMode expected) =>
        Assert.Equal(expected, PunchOf(Decode(new HikAccessEvent(At, minor, 1, EmployeeNo: "W-1", CurrentVerifyMode: "cardOrFaceOrFp"))).Mode);

    [Theory]
    [InlineData("face", VerifyMode.Face)]
    [InlineData("employeeNoAndFace", VerifyMode.Face)]
    [InlineData("card", VerifyMode.Card)]
    [InlineData("fpAndPw", VerifyMode.Fingerprint)]
    [InlineData("cardOrFace", VerifyMode.Unknown)]
    public void Configured_verify_mode_settles_the_mode_only_when_the_minor_code_does_not(string configured, VerifyMode expected) =>
        Assert.Equal(expected, PunchOf(Decode(new HikAccessEvent(At, 0x99, 1, EmployeeNo: "W-1", CurrentVerifyMode: configured))).Mode);

    [Fact]
    public void Failed_face_verification_is_a_device_event_not_a_punch()
    {
        var e = Assert.IsType<HikDeviceEventResult>(Decode(new HikAccessEvent(At, HikEventCodes.FaceFail, 77, EmployeeNo: "W-1"))).Event;
        Assert.Equal(new DeviceEvent(Sn, DeviceEventType.VerificationFailed, "5/76", "face verification failed", At, "W-1", 77), e);
    }

    [Theory]
    [InlineData(0x09)]
    [InlineData(0x27)]
    [InlineData(0x50)]
    [InlineData(0x98)]
    public void Every_failed_verification_code_is_a_verification_failed_event(int minor) =>
        Assert.Equal(DeviceEventType.VerificationFailed,
            Assert.IsType<HikDeviceEventResult>(Decode(new HikAccessEvent(At, minor, 1, CardNo: "123"))).Event.Type);

    [Fact]
    public void Verified_pass_naming_nobody_is_kept_as_an_access_event()
    {
        var e = Assert.IsType<HikDeviceEventResult>(Decode(new HikAccessEvent(At, HikEventCodes.FacePass, 5))).Event;
        Assert.Equal(DeviceEventType.Access, e.Type);
        Assert.Contains("no person id", e.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Door_opened_is_an_access_event() =>
        Assert.Equal(DeviceEventType.Access, Assert.IsType<HikDeviceEventResult>(Decode(new HikAccessEvent(At, HikEventCodes.DoorOpened, 5))).Event.Type);

    [Fact]
    public void Turnstile_trailing_event_is_tailgating() =>
        Assert.Equal(DeviceEventType.Tailgating, Assert.IsType<HikDeviceEventResult>(Decode(new HikAccessEvent(At, HikEventCodes.Trailing, 5))).Event.Type);

    [Fact]
    public void Alarm_major_type_is_another_kind_of_event_even_with_a_pass_like_minor() =>
        Assert.IsType<HikDeviceEventResult>(Decode(new HikAccessEvent(At, HikEventCodes.FacePass, 5, EmployeeNo: "W-1", MajorEventType: HikEventCodes.MajorAlarm)));

    [Fact]
    public void Heartbeat_carries_the_device_clock_and_addresses()
    {
        var beat = Assert.IsType<HikHeartbeatResult>(HikIsapiCodec.Decode(HikIsapiCodec.EncodeHeartbeat(At, "10.0.0.5", "aa:bb:cc:dd:ee:ff"), Sn));
        Assert.Equal(At, beat.Time);
        Assert.Equal("10.0.0.5", beat.IpAddress);
        Assert.Equal("aa:bb:cc:dd:ee:ff", beat.MacAddress);
    }

    [Fact]
    public void Heartbeat_event_type_is_read_in_any_case_and_needs_no_time() =>
        Assert.Null(Assert.IsType<HikHeartbeatResult>(Decode("""{"eventType":"heartbeat"}""")).Time);

    [Fact]
    public void Heartbeat_minor_code_is_a_heartbeat() =>
        Assert.IsType<HikHeartbeatResult>(Decode(new HikAccessEvent(At, HikEventCodes.Heartbeat, 1)));

    [Fact]
    public void Other_event_types_are_other_device_events()
    {
        var e = Assert.IsType<HikDeviceEventResult>(Decode("""{"eventType":"videoloss","eventDescription":"videoloss alarm","dateTime":"2026-03-02T07:58:01+08:00"}""")).Event;
        Assert.Equal(new DeviceEvent(Sn, DeviceEventType.Other, "videoloss", "videoloss alarm", At), e);
    }

    [Theory]
    [InlineData("""{"dateTime":"2026-03-02T07:58:01+08:00"}""", "eventType")]
    [InlineData("""{"eventType":"","dateTime":"2026-03-02T07:58:01+08:00"}""", "eventType")]
    [InlineData("""{"eventType":"AccessControllerEvent","dateTime":"2026-03-02T07:58:01+08:00"}""", "AccessControllerEvent")]
    [InlineData("""{"eventType":"AccessControllerEvent","dateTime":"2026-03-02T07:58:01+08:00","AccessControllerEvent":[]}""", "AccessControllerEvent")]
    [InlineData("""{"eventType":"AccessControllerEvent","AccessControllerEvent":{"majorEventType":5,"subEventType":75,"employeeNoString":"W-1"}}""", "dateTime")]
    [InlineData("""{"eventType":"AccessControllerEvent","dateTime":"2026-03-02T07:58:01","AccessControllerEvent":{"majorEventType":5,"subEventType":75}}""", "dateTime")]
    [InlineData("""{"eventType":"AccessControllerEvent","dateTime":"2026-03-02T07:58:01+08:00","AccessControllerEvent":{"subEventType":75}}""", "AccessControllerEvent.majorEventType")]
    [InlineData("""{"eventType":"AccessControllerEvent","dateTime":"2026-03-02T07:58:01+08:00","AccessControllerEvent":{"majorEventType":5}}""", "AccessControllerEvent.subEventType")]
    [InlineData("""{"eventType":"AccessControllerEvent","dateTime":"2026-03-02T07:58:01+08:00","AccessControllerEvent":{"majorEventType":5,"subEventType":"x"}}""", "AccessControllerEvent.subEventType")]
    [InlineData("""{"eventType":"AccessControllerEvent","dateTime":"2026-03-02T07:58:01+08:00","AccessControllerEvent":{"majorEventType":5,"subEventType":75,"serialNo":-3}}""", "AccessControllerEvent.serialNo")]
    [InlineData("""{"eventType":"AccessControllerEvent","dateTime":"2026-03-02T07:58:01+08:00","AccessControllerEvent":{"majorEventType":5,"subEventType":75,"employeeNoString":{}}}""", "AccessControllerEvent.employeeNoString")]
    [InlineData("""{"eventType":"AccessControllerEvent","dateTime":"2026-03-02T07:58:01+08:00","AccessControllerEvent":{"majorEventType":5,"subEventType":75,"employeeNoString":"W\u00011"}}""", "AccessControllerEvent.employeeNoString")]
    [InlineData("""{"eventType":"AccessControllerEvent","dateTime":"2026-03-02T07:58:01+08:00","AccessControllerEvent":{"majorEventType":5,"subEventType":75,"doorNo":"two"}}""", "AccessControllerEvent.doorNo")]
    [InlineData("""{"eventType":"AccessControllerEvent" """, "$")]
    [InlineData("""[]""", "$")]
    public void Every_bad_field_is_named_in_the_error(string json, string field) =>
        Assert.Equal(field, Assert.Throws<PayloadDecodeException>(() => Decode(json)).Field);

    [Fact]
    public void Numbers_sent_as_strings_and_integer_employee_numbers_from_older_firmware_are_read()
    {
        var punch = PunchOf(Decode("""{"eventType":"AccessControllerEvent","dateTime":"2026-03-02T07:58:01+08:00","AccessControllerEvent":{"majorEventType":"5","subEventType":"75","employeeNo":10086,"serialNo":"12","doorNo":"1"}}"""));
        Assert.Equal(new DevicePunch(Sn, 12, "10086", At, Direction.In, VerifyMode.Face), punch);
    }

    [Fact]
    public void Empty_employee_number_falls_back_to_the_card() =>
        Assert.Equal("998877", PunchOf(Decode("""{"eventType":"AccessControllerEvent","dateTime":"2026-03-02T07:58:01+08:00","AccessControllerEvent":{"majorEventType":5,"subEventType":1,"employeeNoString":"","cardNo":"998877"}}""")).Person);

    [Theory]
    [InlineData(36.6, null, 36.6)]
    [InlineData(97.9, "fahrenheit", 36.6)]
    [InlineData(-12.0, "celsius", null)]
    [InlineData(80.0, null, null)]
    public void Temperature_is_kept_in_celsius_and_a_sensor_fault_does_not_lose_the_punch(double reading, string? unit, double? expected)
    {
        var unitJson = unit is null ? "" : $",\"thermometryUnit\":\"{unit}\"";
        var head = """{"eventType":"AccessControllerEvent","dateTime":"2026-03-02T07:58:01+08:00","AccessControllerEvent":{"majorEventType":5,"subEventType":75,"employeeNoString":"W-1","currTemperature":""";
        var json = head + reading.ToString(System.Globalization.CultureInfo.InvariantCulture) + unitJson + "}}";
        Assert.Equal(expected, PunchOf(Decode(json)).Temperature);
    }

    [Fact]
    public void Unknown_properties_and_nested_objects_are_skipped() =>
        Assert.Equal("W-1", PunchOf(Decode("""{"eventType":"AccessControllerEvent","future":{"a":[1,{"b":2}]},"dateTime":"2026-03-02T07:58:01+08:00","AccessControllerEvent":{"FaceRect":{"x":0.1},"majorEventType":5,"subEventType":75,"employeeNoString":"W-1"}}""")).Person);

    [Fact]
    public void Encoded_pass_events_decode_to_the_same_punch() =>
        Gen.Select(Generators.WholeSecondTime, Generators.Person, Gen.Long[0, long.MaxValue], Gen.Int[1, 2], Gen.Double[35, 40].Nullable())
            .Sample((time, person, serial, door, temperature) =>
            {
                var temp = temperature is { } t ? Math.Round(t, 1) : (double?)null;
                var punch = PunchOf(Decode(new HikAccessEvent(time, HikEventCodes.FacePass, serial, EmployeeNo: person, DoorNo: door, Temperature: temp)));
                Assert.Equal(new DevicePunch(Sn, serial, person, time, door == 1 ? Direction.In : Direction.Out, VerifyMode.Face, temp), punch);
            }, iter: 1000);
}
