using System.Text;
using SiteHub.Protocols.HikIsapi;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.SiteHubV1;
using SiteHub.Protocols.Turnstile;
using SiteHub.Protocols.ZkAdms;

namespace SiteHub.Protocols.Tests;

/// <summary>
/// Thousands of randomly corrupted copies of the golden samples per codec (seeded, so a failure
/// reproduces): a codec may refuse a payload only with <see cref="PayloadDecodeException"/> (ZK
/// reports line errors and never throws), and whatever it does return is complete.
/// </summary>
public sealed class MutationFuzzTests
{
    private const int MutantsPerCodec = 6000;

    [Fact]
    public void SiteHubV1_codec_survives_corrupted_payloads() =>
        Fuzz("sitehub-v1", 1, payload =>
        {
            foreach (var punch in SiteHubV1Codec.Decode(payload, GoldenSampleTests.SiteHubSn))
            {
                AssertComplete(punch, GoldenSampleTests.SiteHubSn);
            }
        });

    [Fact]
    public void Hik_event_codec_survives_corrupted_payloads() =>
        Fuzz("hik-isapi", 2, payload => AssertComplete(HikIsapiCodec.Decode(payload, GoldenSampleTests.HikSn)), sample => sample.EndsWith(".json", StringComparison.Ordinal));

    [Fact]
    public void Hik_multipart_parser_survives_corrupted_bodies() =>
        Fuzz("hik-isapi", 3, payload =>
        {
            var parts = HikMultipart.Parse(payload, BoundaryIn(payload));
            Assert.True(parts.EventJson.Length <= payload.Length && parts.Picture.Length <= payload.Length);
            AssertComplete(HikIsapiCodec.Decode(parts.EventJson.Span, GoldenSampleTests.HikSn));
        }, sample => sample.EndsWith(".multipart", StringComparison.Ordinal));

    [Fact]
    public void Zk_attlog_decoder_never_throws_and_reports_every_line()
    {
        Fuzz("zk-adms", 4, payload =>
        {
            var result = ZkAttlog.Decode(payload, GoldenSampleTests.ZkSn, GoldenSampleTests.ZkOffset);
            foreach (var punch in result.Punches)
            {
                AssertComplete(punch, GoldenSampleTests.ZkSn);
                Assert.Equal(GoldenSampleTests.ZkOffset, punch.Time.Offset);
            }

            Assert.All(result.Errors, e => Assert.False(string.IsNullOrEmpty(e.Reason)));
            Assert.True(result.RecordCount <= payload.Count((byte)'\n') + 1);
        }, allowDecodeErrors: false);
    }

    [Fact]
    public void Zk_command_result_parser_never_throws() =>
        Fuzz("zk-adms", 5, payload => _ = ZkCommands.ParseResults(payload), allowDecodeErrors: false,
            seeds: [Encoding.UTF8.GetBytes("ID=1&Return=0&CMD=DATA\r\nID=2&Return=-1002&CMD=REBOOT\n")]);

    [Fact]
    public void Turnstile_codec_survives_corrupted_payloads() =>
        Fuzz("turnstile-v1", 6, payload =>
        {
            var passage = TurnstileV1Codec.Decode(payload, GoldenSampleTests.TurnstileSn);
            Assert.Equal(GoldenSampleTests.TurnstileSn, passage.Sn);
            Assert.True(passage.Direction is Direction.In or Direction.Out);
            Assert.InRange(passage.Lane, 0, TurnstileV1Codec.MaxLane);
            Assert.NotEqual(default, passage.Time);
        });

    private static void Fuzz(string protocol, int seed, Action<byte[]> decode, Func<string, bool>? which = null, bool allowDecodeErrors = true, byte[][]? seeds = null)
    {
        var samples = seeds ?? Samples.Payloads(protocol).Where(which ?? (_ => true)).Select(Samples.Bytes).ToArray();
        Assert.NotEmpty(samples);
        var random = new Random(seed);
        var refused = 0;
        for (var i = 0; i < MutantsPerCodec; i++)
        {
            var mutant = Mutate(samples[i % samples.Length], random);
            try
            {
                decode(mutant);
            }
            catch (PayloadDecodeException) when (allowDecodeErrors)
            {
                refused++;
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"mutant {i} (seed {seed}) threw {ex.GetType().Name}: {ex.Message}\npayload: {Convert.ToBase64String(mutant)}");
            }
        }

        // A fuzz run that refuses everything or nothing is not exercising both paths.
        if (allowDecodeErrors)
        {
            Assert.InRange(refused, 1, MutantsPerCodec - 1);
        }
    }

    /// <summary>One to four random edits: flip, replace with a structural byte, insert, delete, truncate, duplicate a slice.</summary>
    private static byte[] Mutate(byte[] sample, Random random)
    {
        ReadOnlySpan<byte> structural = "{}[]\":,\t\r\n\\-+.0123456789 eE"u8;
        var bytes = new List<byte>(sample);
        var edits = random.Next(1, 5);
        for (var e = 0; e < edits && bytes.Count > 0; e++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes[at] = structural[random.Next(structural.Length)]; break;
                case 2: bytes.Insert(at, (byte)random.Next(256)); break;
                case 3: bytes.RemoveAt(at); break;
                case 4: bytes.RemoveRange(at, bytes.Count - at); break;
                case 5:
                    var length = random.Next(1, Math.Min(64, bytes.Count - at) + 1);
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
                default: bytes.Insert(at, structural[random.Next(structural.Length)]); break;
            }
        }

        return [.. bytes];
    }

    private static void AssertComplete(DevicePunch punch, string sn)
    {
        Assert.Equal(sn, punch.Sn);
        Assert.False(string.IsNullOrEmpty(punch.Person));
        Assert.NotEqual(default, punch.Time);
        Assert.True(Enum.IsDefined(punch.Direction) && Enum.IsDefined(punch.Mode));
        Assert.False(string.IsNullOrEmpty(punch.EventId));
    }

    private static void AssertComplete(HikDecodeResult result)
    {
        switch (result)
        {
            case HikPunchResult p:
                AssertComplete(p.Punch, GoldenSampleTests.HikSn);
                break;
            case HikDeviceEventResult e:
                Assert.Equal(GoldenSampleTests.HikSn, e.Event.Sn);
                Assert.False(string.IsNullOrEmpty(e.Event.Code));
                Assert.False(string.IsNullOrEmpty(e.Event.Description));
                Assert.NotEqual(default, e.Event.Time);
                break;
            case HikHeartbeatResult:
                break;
            default:
                Assert.Fail($"unexpected result {result.GetType().Name}");
                break;
        }
    }

    /// <summary>The boundary of the sample the mutant came from (the mutation may have damaged the first line too).</summary>
    private static string BoundaryIn(byte[] payload) =>
        payload.AsSpan().IndexOf("7e13971310878"u8) >= 0 ? "---------------------------7e13971310878" : "MIME_boundary";
}
