using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SiteHub.Protocols.Devices;
using SiteHub.Protocols.HikIsapi;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.Turnstile;
using SiteHub.Protocols.ZkAdms;

namespace SiteHub.Protocols.Tests;

/// <summary>One canonical JSON line per decoded thing, in the shape of the golden expectation files.</summary>
internal static class Describe
{
    public static string Punch(DevicePunch p) => Line(w =>
    {
        w.WriteString("kind", "punch");
        w.WriteString("event_id", p.EventId);
        w.WriteString("device_sn", p.Sn);
        w.WriteString("person_id", p.Person);
        w.WriteString("direction", Name(p.Direction));
        w.WriteString("occurred_at", Time(p.Time));
        w.WriteString("verify_mode", Name(p.Mode));
        if (p.Temperature is { } t)
        {
            w.WriteNumber("temperature", t);
        }
    });

    public static string Event(DeviceEvent e) => Line(w =>
    {
        w.WriteString("kind", "event");
        w.WriteString("device_sn", e.Sn);
        w.WriteString("type", e.Type switch
        {
            DeviceEventType.VerificationFailed => "verification-failed",
            DeviceEventType.Access => "access",
            DeviceEventType.Tailgating => "tailgating",
            _ => "other",
        });
        w.WriteString("code", e.Code);
        w.WriteString("description", e.Description);
        w.WriteString("time", Time(e.Time));
        if (e.Person is not null)
        {
            w.WriteString("person", e.Person);
        }

        if (e.Seq is { } seq)
        {
            w.WriteNumber("seq", seq);
        }
    });

    public static string Heartbeat(HikHeartbeatResult h) => Line(w =>
    {
        w.WriteString("kind", "heartbeat");
        if (h.Time is { } t)
        {
            w.WriteString("time", Time(t));
        }

        w.WriteString("ip", h.IpAddress);
        w.WriteString("mac", h.MacAddress);
    });

    public static string Hik(HikDecodeResult result) => result switch
    {
        HikPunchResult p => Punch(p.Punch),
        HikDeviceEventResult e => Event(e.Event),
        HikHeartbeatResult h => Heartbeat(h),
        _ => throw new InvalidOperationException(result.GetType().Name),
    };

    public static string Picture(HikMultipartParts parts) => Line(w =>
    {
        w.WriteString("kind", "picture");
        w.WriteString("content_type", parts.PictureContentType);
        w.WriteNumber("bytes", parts.Picture.Length);
    });

    public static string Error(ZkLineError e) => Line(w =>
    {
        w.WriteString("kind", "error");
        w.WriteNumber("line", e.Line);
        w.WriteString("reason", e.Reason);
    });

    public static string Passage(TurnstilePassage p) => Line(w =>
    {
        w.WriteString("kind", "passage");
        w.WriteString("event_id", p.EventId);
        w.WriteString("device_sn", p.Sn);
        w.WriteNumber("lane", p.Lane);
        w.WriteString("direction", Name(p.Direction));
        w.WriteString("time", Time(p.Time));
        if (p.Card is not null)
        {
            w.WriteString("card", p.Card);
        }
    });

    public static string Time(DateTimeOffset t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);

    private static string Name(Direction d) => d switch { Direction.In => "in", Direction.Out => "out", _ => "unknown" };

    private static string Name(VerifyMode m) => m switch
    {
        VerifyMode.Face => "face",
        VerifyMode.Card => "card",
        VerifyMode.IdCard => "idcard",
        VerifyMode.Qr => "qr",
        VerifyMode.Fingerprint => "fingerprint",
        _ => "unknown",
    };

    private static string Line(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
