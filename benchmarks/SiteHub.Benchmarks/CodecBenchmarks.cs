using System.Globalization;
using BenchmarkDotNet.Attributes;
using SiteHub.Protocols.HikIsapi;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.SiteHubV1;
using SiteHub.Protocols.Turnstile;
using SiteHub.Protocols.ZkAdms;

namespace SiteHub.Benchmarks;

/// <summary>
/// Decode throughput of every device codec. Batch benchmarks set OperationsPerInvoke to the
/// number of records, so "Mean" is the time per punch (or per ATTLOG line) and "Allocated" is
/// the bytes allocated per punch, result included.
/// </summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private const string Sn = "GATE-A-01";
    private const int AttlogLines = 1000;
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 7, 0, 0, TimeSpan.FromHours(8));

    private byte[] _single = [];
    private byte[] _batch = [];
    private byte[] _attlog = [];
    private byte[] _hikJson = [];
    private byte[] _hikMultipart = [];
    private byte[] _passage = [];
    private string _pin = "";

    [GlobalSetup]
    public void Setup()
    {
        var punches = Enumerable.Range(0, SiteHubV1Codec.MaxBatch)
            .Select(i => new DevicePunch(Sn, 100_000 + i, "W-" + i.ToString("D6", CultureInfo.InvariantCulture), Start.AddSeconds(i * 7),
                i % 2 == 0 ? Direction.In : Direction.Out, VerifyMode.Face, 36.5))
            .ToArray();
        _single = SiteHubV1Codec.EncodePunch(punches[0]);
        _batch = SiteHubV1Codec.EncodeBatch(Sn, punches);
        _attlog = ZkAttlog.Encode(Enumerable.Range(0, AttlogLines)
            .Select(i => new DevicePunch("ZK1", null, (1000 + (i % 400)).ToString(CultureInfo.InvariantCulture), Start.AddSeconds(i * 3),
                i % 3 == 0 ? Direction.Out : Direction.In, VerifyMode.Face)));
        _hikJson = HikIsapiCodec.EncodeAccessEvent(new HikAccessEvent(Start, HikEventCodes.FacePass, 4521, EmployeeNo: "W-000123",
            DoorNo: 1, AttendanceStatus: "checkIn", CurrentVerifyMode: "cardOrFaceOrFp", DeviceName: "Gate A entry", Temperature: 36.5,
            PicturesNumber: 1, IpAddress: "10.20.0.31", MacAddress: "44:a6:42:1c:2f:80"));
        _hikMultipart = HikMultipart.Encode("MIME_boundary", _hikJson, new byte[48 * 1024]);
        _pin = "1001";
        _passage = TurnstileV1Codec.Encode(new TurnstilePassage("TS-1", 77, 1, Direction.In, Start, "3170884532"));
    }

    [Benchmark(Description = "sitehub-v1 single punch")]
    public IReadOnlyList<DevicePunch> SiteHubV1Single() => SiteHubV1Codec.Decode(_single, Sn);

    [Benchmark(Description = "sitehub-v1 batch of 200 (per punch)", OperationsPerInvoke = SiteHubV1Codec.MaxBatch)]
    public IReadOnlyList<DevicePunch> SiteHubV1Batch() => SiteHubV1Codec.Decode(_batch, Sn);

    [Benchmark(Description = "zk-adms ATTLOG 1000 lines (per line)", OperationsPerInvoke = AttlogLines)]
    public ZkAttlogResult ZkAttlog1000() => ZkAttlog.Decode(_attlog, "ZK1", TimeSpan.FromHours(8));

    [Benchmark(Description = "hik-isapi event JSON")]
    public HikDecodeResult HikJson() => HikIsapiCodec.Decode(_hikJson, "HIK1");

    [Benchmark(Description = "hik-isapi multipart (48 KiB picture) parse + decode")]
    public HikDecodeResult HikMultipartBody()
    {
        var parts = HikMultipart.Parse(_hikMultipart, "MIME_boundary");
        return HikIsapiCodec.Decode(parts.EventJson.Span, "HIK1");
    }

    [Benchmark(Description = "EventIds.FromContent (records without a device sequence)")]
    public string ContentEventId() => EventIds.FromContent("ZK1", Start, _pin);

    [Benchmark(Description = "turnstile-v1 passage")]
    public TurnstilePassage Turnstile() => TurnstileV1Codec.Decode(_passage, "TS-1");
}
