using System.Globalization;
using System.Text;
using SiteHub.Protocols.HikIsapi;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.SiteHubV1;
using SiteHub.Protocols.Turnstile;
using SiteHub.Protocols.ZkAdms;

namespace SiteHub.Gateway.Decode;

/// <summary>The punches in one payload file and, for everything else in it, why it is no punch.</summary>
public sealed record DecodedFile(IReadOnlyList<DevicePunch> Punches, IReadOnlyList<string> Problems);

/// <summary>Decodes a saved device payload with a protocol's codec, as the gateway would (pure).</summary>
public static class PayloadDecoder
{
    public static readonly IReadOnlyList<string> Protocols =
        [SiteHubV1Codec.ProtocolId, ZkAttlog.ProtocolId, HikIsapiCodec.ProtocolId, TurnstileV1Codec.ProtocolId];

    public static DecodedFile Decode(string protocol, ReadOnlyMemory<byte> payload, string sn, TimeSpan utcOffset)
    {
        var problems = new List<string>();
        var punches = new List<DevicePunch>();
        try
        {
            switch (protocol)
            {
                case SiteHubV1Codec.ProtocolId:
                    punches.AddRange(SiteHubV1Codec.Decode(payload.Span, sn));
                    break;
                case ZkAttlog.ProtocolId:
                    var attlog = ZkAttlog.Decode(payload.Span, sn, utcOffset);
                    punches.AddRange(attlog.Punches);
                    problems.AddRange(attlog.Errors.Select(e => string.Create(CultureInfo.InvariantCulture, $"line {e.Line}: {e.Reason}: {e.Raw}")));
                    break;
                case HikIsapiCodec.ProtocolId:
                    var json = payload;
                    if (MultipartBoundary(payload.Span) is { } boundary)
                    {
                        json = HikMultipart.Parse(payload, boundary).EventJson;
                    }

                    switch (HikIsapiCodec.Decode(json.Span, sn))
                    {
                        case HikPunchResult punch:
                            punches.Add(punch.Punch);
                            break;
                        case HikDeviceEventResult e:
                            problems.Add($"not a punch: device event {e.Event.Code} ({e.Event.Description})");
                            break;
                        default:
                            problems.Add("not a punch: heartbeat");
                            break;
                    }

                    break;
                case TurnstileV1Codec.ProtocolId:
                    var passage = TurnstileV1Codec.Decode(payload.Span, sn);
                    problems.Add(string.Create(CultureInfo.InvariantCulture, $"not a punch: turnstile passage lane {passage.Lane} {passage.Direction} at {passage.Time:O} (passages are fused with verifications at the gateway)"));
                    break;
                default:
                    problems.Add($"unknown protocol '{protocol}'; known: {string.Join(", ", Protocols)}");
                    break;
            }
        }
        catch (PayloadDecodeException ex)
        {
            problems.Add(ex.Message);
        }

        return new DecodedFile(punches, problems);
    }

    /// <summary>A saved multipart body's boundary: its first line that starts with <c>--</c> (a preamble may come first); null for bare JSON.</summary>
    private static string? MultipartBoundary(ReadOnlySpan<byte> payload)
    {
        var text = payload.TrimStart(" \t\r\n\uFEFF"u8);
        if (text.IsEmpty || text[0] == (byte)'{' || text.StartsWith("\uFEFF{"u8))
        {
            return null;
        }

        var rest = payload;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            if (line.StartsWith("--"u8))
            {
                return Encoding.ASCII.GetString(line[2..]).TrimEnd('\r', ' ');
            }

            rest = end < 0 ? default : rest[(end + 1)..];
        }

        return null;
    }
}
