using System.Diagnostics;
using System.Text.Json;
using SiteHub.Testing;

namespace SiteHub.Gateway.Tests;

/// <summary>The <c>decode</c> command run as a process on the golden samples.</summary>
public sealed class DecodeCommandTests
{
    private static readonly Dictionary<string, string> Serials = new(StringComparer.Ordinal)
    {
        ["sitehub-v1"] = "GATE-A-01", ["hik-isapi"] = "HIK-K1T671-01", ["zk-adms"] = "ZK-CQZ7232300123", ["turnstile-v1"] = "TS-GATE-A-01",
    };

    private static string Samples => Path.Combine(TestEnvironment.RepoRoot, "tests", "SiteHub.Protocols.Tests", "Samples");

    public static TheoryData<string, string> SampleFiles()
    {
        var data = new TheoryData<string, string>();
        foreach (var protocol in Serials.Keys)
        {
            foreach (var file in Directory.GetFiles(Path.Combine(Samples, protocol)).Where(f => !f.EndsWith(".jsonl", StringComparison.Ordinal) && !f.EndsWith(".jpg", StringComparison.Ordinal)))
            {
                data.Add(protocol, Path.GetFileName(file));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public async Task Decode_prints_the_expected_punches_and_exits_non_zero_only_when_none(string protocol, string file)
    {
        var path = Path.Combine(Samples, protocol, file);
        var (exit, stdout, stderr) = await RunAsync("decode", "--protocol", protocol, "--sn", Serials[protocol], path);

        var expectedFile = Path.Combine(Samples, protocol, Path.GetFileNameWithoutExtension(file) + ".expected.jsonl");
        var expected = (await File.ReadAllLinesAsync(expectedFile, TestContext.Current.CancellationToken))
            .Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("kind").GetString() == "punch")
            .Select(e => string.Join('|', new[] { "event_id", "device_sn", "person_id", "direction", "occurred_at", "verify_mode" }.Select(k => e.GetProperty(k).GetString())))
            .ToList();
        var actual = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => string.Join('|', new[] { "event_id", "device_sn", "person_id", "direction", "occurred_at", "verify_mode" }.Select(k => e.GetProperty(k).GetString())))
            .ToList();

        Assert.Equal(expected, actual);
        Assert.Equal(expected.Count > 0 ? 0 : 1, exit);
        if (expected.Count == 0)
        {
            Assert.False(string.IsNullOrWhiteSpace(stderr), "a payload with no punch must say why on stderr");
        }
    }

    [Fact]
    public async Task Decode_applies_the_gate_direction_when_the_device_does_not_say()
    {
        using var folder = new TempFolder("decode");
        var path = folder.Combine("undirected.txt");
        await File.WriteAllTextAsync(path, "1001\t2026-03-02 07:58:01\t255\t15\t0\n", TestContext.Current.CancellationToken);

        var (exit, stdout, _) = await RunAsync("decode", "--protocol", "zk-adms", "--sn", "ZK-1", "--gate-direction", "out", path);

        Assert.Equal(0, exit);
        Assert.Contains("\"direction\":\"out\"", stdout, StringComparison.Ordinal);
        Assert.Contains("\"occurred_at\":\"2026-03-02T07:58:01+08:00\"", stdout, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(TestEnvironment.AppDll("gateway/SiteHub.Gateway"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
