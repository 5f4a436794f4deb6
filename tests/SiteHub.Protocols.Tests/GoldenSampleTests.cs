using System.Text;
using SiteHub.Protocols.HikIsapi;
using SiteHub.Protocols.SiteHubV1;
using SiteHub.Protocols.Turnstile;
using SiteHub.Protocols.ZkAdms;

namespace SiteHub.Protocols.Tests;

/// <summary>Every sample payload under Samples/ decodes to exactly what its .expected.jsonl says.</summary>
public sealed class GoldenSampleTests
{
    internal const string SiteHubSn = "GATE-A-01";
    internal const string HikSn = "HIK-K1T671-01";
    internal const string ZkSn = "ZK-CQZ7232300123";
    internal const string TurnstileSn = "TS-GATE-A-01";
    internal static readonly TimeSpan ZkOffset = TimeSpan.FromHours(8);

    public static TheoryData<string> SiteHubV1 => new(Samples.Payloads("sitehub-v1"));

    public static TheoryData<string> Hik => new(Samples.Payloads("hik-isapi"));

    public static TheoryData<string> Zk => new(Samples.Payloads("zk-adms"));

    public static TheoryData<string> Turnstile => new(Samples.Payloads("turnstile-v1"));

    [Theory]
    [MemberData(nameof(SiteHubV1))]
    public void SiteHubV1_sample_decodes_to_its_expected_punches(string sample)
    {
        var actual = SiteHubV1Codec.Decode(Samples.Bytes(sample), SiteHubSn).Select(Describe.Punch);
        Assert.Equal(Samples.Expected(sample), actual);
    }

    [Theory]
    [MemberData(nameof(Hik))]
    public void Hik_sample_decodes_to_its_expected_punches_events_and_pictures(string sample)
    {
        var body = Samples.Bytes(sample);
        var actual = new List<string>();
        if (sample.EndsWith(".multipart", StringComparison.Ordinal))
        {
            var parts = HikMultipart.Parse(body, BoundaryOf(body));
            actual.Add(Describe.Hik(HikIsapiCodec.Decode(parts.EventJson.Span, HikSn)));
            if (parts.HasPicture)
            {
                actual.Add(Describe.Picture(parts));
                Assert.Equal(Samples.Bytes("hik-isapi", "face.jpg"), parts.Picture.ToArray());
            }
        }
        else
        {
            actual.Add(Describe.Hik(HikIsapiCodec.Decode(body, HikSn)));
        }

        Assert.Equal(Samples.Expected(sample), actual);
    }

    [Theory]
    [MemberData(nameof(Zk))]
    public void Zk_attlog_sample_decodes_to_its_expected_punches_and_line_errors(string sample)
    {
        var result = ZkAttlog.Decode(Samples.Bytes(sample), ZkSn, ZkOffset);

        // Expectations list the punches in body order, then the line errors in body order.
        string[] actual = [.. result.Punches.Select(Describe.Punch), .. result.Errors.Select(Describe.Error)];
        Assert.Equal(Samples.Expected(sample), actual);
    }

    [Theory]
    [MemberData(nameof(Turnstile))]
    public void Turnstile_sample_decodes_to_its_expected_passage(string sample)
    {
        var passage = TurnstileV1Codec.Decode(Samples.Bytes(sample), TurnstileSn);
        Assert.Equal(Samples.Expected(sample), new[] { Describe.Passage(passage) });
    }

    /// <summary>A multipart sample's boundary is its first <c>--</c> line (the HTTP header is not part of the file).</summary>
    private static string BoundaryOf(byte[] body)
    {
        foreach (var line in Encoding.ASCII.GetString(body).Split('\n'))
        {
            if (line.StartsWith("--", StringComparison.Ordinal))
            {
                return line.TrimEnd('\r')[2..];
            }
        }

        throw new InvalidOperationException("no boundary line");
    }
}
