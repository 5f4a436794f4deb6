using System.Text;
using System.Text.Json;
using SiteHub.Gateway.DevicePush;
using SiteHub.Gateway.Ingest;
using SiteHub.Protocols.HikIsapi;
using SiteHub.Protocols.Punches;

namespace SiteHub.Gateway.HikPush;

/// <summary>
/// Hikvision's HTTP event push. In the terminal's web page, Configuration → Network → Advanced →
/// HTTP Listening (firmware also calls it "Alarm Host" / "Event Alarm"), set the destination to
/// the gateway's address and HTTP port and the URL to <c>/isapi/events/{serial}</c>, the serial
/// the device was registered with (events carry no serial of their own). The terminal then POSTs
/// each event as <c>application/json</c>, or as <c>multipart/form-data</c> with the event JSON part
/// and the face picture when "upload picture" is on (ISAPI "Event Notification" / HTTP listening).
/// The reply, 200 with an ISAPI <c>ResponseStatus</c>, is sent only after the punch or event is on
/// disk. A payload that cannot be read is quarantined raw and still answered 200 (with
/// <c>subStatusCode: quarantined</c> and the reason): it is kept, and a 4xx would only make the
/// terminal resend it forever.
/// </summary>
public static class HikPushEndpoints
{
    public static IEndpointRouteBuilder MapHikPush(this IEndpointRouteBuilder app)
    {
        var gate = app.ServiceProvider.GetRequiredService<DevicePushGate>();
        app.MapPost("/isapi/events/{sn}", PushAsync).AllowAnonymous().AddEndpointFilter(gate.FilterAsync);
        return app;
    }

    private static async Task<IResult> PushAsync(
        string sn, HttpContext http, DevicePushGate gate, DeviceIngest ingest, HikEventsHandler handler, CancellationToken cancellationToken)
    {
        var (device, refusal) = gate.Admit(http, sn, HikIsapiCodec.ProtocolId);
        if (device is null)
        {
            return refusal!;
        }

        var body = await gate.ReadBodyAsync(http, device, cancellationToken);
        if (body.Bytes is null)
        {
            return body.Refusal!;
        }

        var contentType = http.Request.ContentType;
        var source = "http:/isapi/events/" + sn;
        try
        {
            if (contentType?.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) == true)
            {
                if (!HikMultipart.TryGetBoundary(contentType, out var boundary))
                {
                    throw new PayloadDecodeException("Content-Type", "multipart body without a boundary parameter");
                }

                var parts = HikMultipart.Parse(body.Bytes, boundary);
                await handler.HandleAsync(ingest, device, parts.EventJson, parts.Picture, parts.PictureContentType, cancellationToken);
            }
            else
            {
                await handler.HandleAsync(ingest, device, body.Bytes, default, null, cancellationToken);
            }
        }
        catch (PayloadDecodeException ex)
        {
            await ingest.QuarantineAsync(device.Sn, source, device.Protocol, body.Bytes, ex.Message, cancellationToken);
            return Status("quarantined", ex.Message);
        }

        return Status("ok", null);
    }

    private static IResult Status(string sub, string? error)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("statusCode", 1);
            writer.WriteString("statusString", "OK");
            writer.WriteString("subStatusCode", sub);
            if (error is not null)
            {
                writer.WriteString("errorMsg", error);
            }

            writer.WriteEndObject();
        }

        return Results.Text(Encoding.UTF8.GetString(buffer.ToArray()), "application/json");
    }
}
