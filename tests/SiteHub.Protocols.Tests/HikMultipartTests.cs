using System.Runtime.InteropServices;
using System.Text;
using CsCheck;
using SiteHub.Protocols.HikIsapi;
using SiteHub.Protocols.Punches;

namespace SiteHub.Protocols.Tests;

public sealed class HikMultipartTests
{
    private static readonly byte[] Json = HikIsapiCodec.EncodeAccessEvent(
        new HikAccessEvent(new DateTimeOffset(2026, 3, 2, 7, 58, 1, TimeSpan.FromHours(8)), HikEventCodes.FacePass, 1, EmployeeNo: "W-1", PicturesNumber: 1));

    private static readonly byte[] Jpeg = Samples.Bytes("hik-isapi", "face.jpg");

    [Theory]
    [InlineData("multipart/form-data; boundary=MIME_boundary", "MIME_boundary")]
    [InlineData("Multipart/Form-Data;boundary=\"a b\"", "a b")]
    [InlineData("multipart/form-data; charset=utf-8; boundary=----7e1", "----7e1")]
    public void Boundary_is_read_from_the_content_type(string contentType, string expected)
    {
        Assert.True(HikMultipart.TryGetBoundary(contentType, out var boundary));
        Assert.Equal(expected, boundary);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("application/json")]
    [InlineData("multipart/form-data")]
    [InlineData("multipart/form-data; boundary=")]
    public void Content_type_without_a_boundary_has_none(string? contentType) =>
        Assert.False(HikMultipart.TryGetBoundary(contentType, out _));

    [Fact]
    public void Event_json_and_picture_come_back_byte_for_byte_as_slices_of_the_body()
    {
        var body = HikMultipart.Encode("MIME_boundary", Json, Jpeg);
        var parts = HikMultipart.Parse(body, "MIME_boundary");

        Assert.Equal(Json, parts.EventJson.ToArray());
        Assert.Equal(Jpeg, parts.Picture.ToArray());
        Assert.Equal("image/jpeg", parts.PictureContentType);
        Assert.Equal("AccessControllerEvent", parts.EventPartName);
        Assert.True(MemoryMarshal.TryGetArray(parts.Picture, out var segment));
        Assert.Same(body, segment.Array);
    }

    [Fact]
    public void Push_without_picture_has_an_empty_picture()
    {
        var parts = HikMultipart.Parse(HikMultipart.Encode("b1", Json), "b1");
        Assert.False(parts.HasPicture);
        Assert.Null(parts.PictureContentType);
    }

    [Fact]
    public void Bare_lf_line_ends_are_read_like_crlf()
    {
        var crlf = HikMultipart.Encode("xyz", Json, Jpeg);
        var lf = Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(crlf).Replace("\r\n--xyz", "\n--xyz", StringComparison.Ordinal)
            .Replace("\r\n\r\n", "\n\n", StringComparison.Ordinal).Replace("\"\r\n", "\"\n", StringComparison.Ordinal));
        var parts = HikMultipart.Parse(lf, "xyz");
        Assert.Equal(Json, parts.EventJson.ToArray());
        Assert.Equal(Jpeg, parts.Picture.ToArray());
    }

    [Fact]
    public void Json_part_without_content_type_is_found_by_its_content()
    {
        var body = Encoding.UTF8.GetBytes("--b\r\nContent-Disposition: form-data; name=\"whatever\"\r\n\r\n") .Concat(Json)
            .Concat(Encoding.UTF8.GetBytes("\r\n--b--")).ToArray();
        Assert.Equal(Json, HikMultipart.Parse(body, "b").EventJson.ToArray());
    }

    [Fact]
    public void Body_cut_off_before_its_closing_boundary_is_refused()
    {
        var body = HikMultipart.Encode("MIME_boundary", Json, Jpeg);
        var cut = body.AsMemory(0, body.Length - 30);
        Assert.Contains("truncated", Assert.Throws<PayloadDecodeException>(() => HikMultipart.Parse(cut, "MIME_boundary")).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Xml_event_is_refused_with_a_hint_to_switch_the_device_to_json()
    {
        var body = Encoding.UTF8.GetBytes("--b\r\nContent-Disposition: form-data; name=\"MoveDetection.xml\"\r\nContent-Type: application/xml\r\n\r\n<EventNotificationAlert/>\r\n--b--\r\n");
        Assert.Contains("JSON", Assert.Throws<PayloadDecodeException>(() => HikMultipart.Parse(body, "b")).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Body_with_another_boundary_is_refused() =>
        Assert.Throws<PayloadDecodeException>(() => HikMultipart.Parse(HikMultipart.Encode("one", Json, Jpeg), "two"));

    [Fact]
    public void Any_picture_survives_the_round_trip() =>
        Gen.Byte.Array[0, 4096].Sample(picture =>
        {
            var parts = HikMultipart.Parse(HikMultipart.Encode("MIME_boundary", Json, picture), "MIME_boundary");
            Assert.Equal(Json, parts.EventJson.ToArray());
            Assert.Equal(picture, parts.Picture.ToArray());
        }, iter: 500);
}
