using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SiteHub.Gateway.Devices;
using SiteHub.Protocols.Punches;

namespace SiteHub.Gateway.Decode;

/// <summary>
/// <c>decode --protocol &lt;id&gt; [--sn SERIAL] [--gate-direction in|out] [--utc-offset +08:00] FILE</c>:
/// prints the canonical punches in a saved device payload as JSON lines, a stderr line with the
/// reason for anything that is not a punch, and exits 1 only when nothing decoded (2 for bad usage).
/// Integrators use it to check a new device's payloads before pointing the device at a gateway.
/// </summary>
public static class DecodeCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var protocol = new Option<string>("--protocol") { Description = "Protocol id: " + string.Join(", ", PayloadDecoder.Protocols), Required = true };
        var sn = new Option<string>("--sn") { Description = "The device serial (sitehub-v1 payloads must name the same one)", DefaultValueFactory = _ => "DEVICE" };
        var gateDirection = new Option<string?>("--gate-direction") { Description = "Direction of the gate when the device does not say: in or out" };
        gateDirection.AcceptOnlyFromAmong("in", "out");
        var offset = new Option<string>("--utc-offset") { Description = "The device clock's UTC offset, for zk-adms", DefaultValueFactory = _ => "+08:00" };
        var file = new Argument<FileInfo>("FILE") { Description = "The payload as the device sent it" };
        var root = new RootCommand("Decode a saved device payload into canonical punches (JSON lines).") { protocol, sn, gateDirection, offset, file };
        root.SetAction(async (parse, cancellationToken) =>
        {
            if (!UtcOffsets.TryParse(parse.GetValue(offset), out var utcOffset))
            {
                await Console.Error.WriteLineAsync("decode: --utc-offset must be like +08:00");
                return 2;
            }

            if (!TopicSafeId.IsValid(parse.GetValue(sn)))
            {
                await Console.Error.WriteLineAsync("decode: --sn must be 1-64 letters, digits, '-', '_' or '.'");
                return 2;
            }

            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                await Console.Error.WriteLineAsync($"decode: {path.FullName}: no such file");
                return 2;
            }

            var bytes = await File.ReadAllBytesAsync(path.FullName, cancellationToken);
            var result = PayloadDecoder.Decode(parse.GetValue(protocol)!, bytes, parse.GetValue(sn)!, utcOffset);
            var gate = parse.GetValue(gateDirection) switch { "in" => Direction.In, "out" => Direction.Out, _ => Direction.Unknown };
            var stdout = Console.OpenStandardOutput();
            foreach (var punch in result.Punches)
            {
                await stdout.WriteAsync(Line(punch, gate), cancellationToken);
            }

            await stdout.FlushAsync(cancellationToken);
            foreach (var problem in result.Problems)
            {
                await Console.Error.WriteLineAsync($"{path.Name}: {problem}");
            }

            return result.Punches.Count > 0 ? 0 : 1;
        });
        return await root.Parse(args).InvokeAsync();
    }

    private static byte[] Line(DevicePunch punch, Direction gate)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping: the offset's '+' stays '+' (this is a terminal and file format, not HTML).
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("event_id", punch.EventId);
            writer.WriteString("device_sn", punch.Sn);
            writer.WriteString("person_id", punch.Person);
            writer.WriteString("direction", Name(punch.Direction == Direction.Unknown ? gate : punch.Direction));
            writer.WriteString("occurred_at", punch.Time.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture));
            writer.WriteString("verify_mode", punch.Mode switch
            {
                VerifyMode.Face => "face",
                VerifyMode.Card => "card",
                VerifyMode.IdCard => "idcard",
                VerifyMode.Qr => "qr",
                VerifyMode.Fingerprint => "fingerprint",
                _ => "unknown",
            });
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static string Name(Direction direction) => direction switch
    {
        Direction.In => "in",
        Direction.Out => "out",
        _ => "unknown",
    };
}
