using SiteHub.Platform.Hosting;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SiteHub.Gateway;
using SiteHub.Gateway.Outbox;
using SiteHub.Hub;
using SiteHub.Hub.Ingest;
using SiteHub.Protocols.Punches;
using SiteHub.Simulators.Fleet;
using SiteHub.Simulators.Terminals;

namespace SiteHub.Simulators.Load;

/// <summary>What one load run measured.</summary>
public sealed record LoadResult(
    int Devices,
    double OfferedRate,
    double DurationSeconds,
    int Batch,
    long Offered,
    long Acked,
    long AtHub,
    double AckedPerSecond,
    double AckP50Ms,
    double AckP99Ms,
    double AckMaxMs,
    double EndToEndP50Ms,
    double EndToEndP99Ms,
    double CpuSeconds,
    double PeakRssMb,
    IReadOnlyList<long> BacklogPerSecond,
    BaselineResult? Baselines = null)
{
    /// <summary>SiteHub's durable acks as a fraction of a bare broker's acks for the same load.</summary>
    public double? FractionOfBareBroker => Baselines is { BareMqttnetAckedPerSecond: > 0 } b ? Math.Round(AckedPerSecond / b.BareMqttnetAckedPerSecond, 3) : null;

    /// <summary>SiteHub's durable acks as a fraction of LiteDB's raw durable insert rate.</summary>
    public double? FractionOfLiteDb => Baselines is { LiteDbInsertsPerSecond: > 0 } b ? Math.Round(AckedPerSecond / b.LiteDbInsertsPerSecond, 3) : null;
}

/// <summary>
/// <c>load</c>: drives a gateway with simulated sitehub-v1 terminals at a set rate and measures
/// what the design promises — punches offered, acked by the gateway (PUBACK after fsync), reaching
/// the hub; device-ack latency; punch→hub-commit latency; CPU and peak memory; outbox backlog.
/// By default hub and gateway run in this process (so CPU and RSS are theirs and the driver's
/// together); <c>--broker</c>/<c>--gateway-api</c> drive a gateway running elsewhere instead.
/// </summary>
public static class LoadCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> RunAsync(int devices, double rate, TimeSpan duration, int batch, string? gatewayApiUrl, string? adminPassword, string? broker, string? outFile, bool baselines, CancellationToken cancellationToken)
    {
        var result = await MeasureAsync(devices, rate, duration, batch, gatewayApiUrl, adminPassword, broker, cancellationToken);
        if (baselines)
        {
            result = result with { Baselines = await Baselines.MeasureAsync(devices, rate, duration, batch, result.Acked, cancellationToken) };
        }

        var json = JsonSerializer.Serialize(result, Indented);
        Console.WriteLine(json);
        if (outFile is not null)
        {
            await File.WriteAllTextAsync(outFile, json, cancellationToken);
        }

        return result.Acked == result.Offered ? 0 : 1;
    }

    /// <summary>Runs the load and returns what it measured (the smoke test calls this).</summary>
    public static Task<LoadResult> MeasureAsync(int devices, double rate, TimeSpan duration, int batch, string? gatewayApiUrl, string? adminPassword, string? broker, CancellationToken cancellationToken) =>
        gatewayApiUrl is null
            ? RunInProcessAsync(devices, rate, duration, batch, cancellationToken)
            : RunRemoteAsync(devices, rate, duration, batch, gatewayApiUrl, adminPassword ?? "", broker ?? "127.0.0.1:1883", cancellationToken);

    private static async Task<LoadResult> RunInProcessAsync(int devices, double rate, TimeSpan duration, int batch, CancellationToken cancellationToken)
    {
        var data = Directory.CreateTempSubdirectory("sitehub-load-").FullName;
        try
        {
            var (hubPort, gatewayPort, centralPort, sitePort) = (LoopbackPort.Free(), LoopbackPort.Free(), LoopbackPort.Free(), LoopbackPort.Free());
            const string Password = "load-admin-pw";
            await using var hub = HubApp.Build(["--urls", $"http://127.0.0.1:{hubPort}", $"--Hub:DataPath={Path.Combine(data, "hub")}", $"--CentralBroker:Port={centralPort}",
                $"--Admin:Password={Password}", "--Gateways:load-site:Password=load-gateway-pw", "--Serilog:MinimumLevel:Default=Warning"]);
            await hub.StartAsync(cancellationToken);
            await using var gateway = GatewayApp.Build(["--urls", $"http://127.0.0.1:{gatewayPort}", "--Gateway:SiteId=load-site", $"--Gateway:DataPath={Path.Combine(data, "gateway")}",
                $"--SiteBroker:Port={sitePort}", $"--Uplink:Port={centralPort}", "--Uplink:Password=load-gateway-pw", $"--Admin:Password={Password}", "--Serilog:MinimumLevel:Default=Warning"]);
            await gateway.StartAsync(cancellationToken);

            var store = hub.Services.GetRequiredService<PunchStore>();
            var endToEnd = new ConcurrentQueue<double>();
            store.Committed += punches =>
            {
                var now = DateTimeOffset.UtcNow;
                foreach (var p in punches)
                {
                    endToEnd.Enqueue((now - p.Punch.OccurredAt).TotalMilliseconds);
                }
            };
            var outbox = gateway.Services.GetRequiredService<OutboxStore>();
            using var api = FleetCommand.AdminClient($"http://127.0.0.1:{gatewayPort}", Password);
            var terminals = await FleetCommand.RegisterTerminalsAsync(api, devices, "127.0.0.1", sitePort, cancellationToken);
            var result = await DriveAsync(terminals, rate, duration, batch, () => outbox.PendingCount, () => store.Count, endToEnd, cancellationToken);
            await gateway.StopAsync(CancellationToken.None);
            await hub.StopAsync(CancellationToken.None);
            return result;
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<LoadResult> RunRemoteAsync(int devices, double rate, TimeSpan duration, int batch, string gatewayApiUrl, string adminPassword, string broker, CancellationToken cancellationToken)
    {
        using var api = FleetCommand.AdminClient(gatewayApiUrl, adminPassword);
        var parts = broker.Split(':');
        var terminals = await FleetCommand.RegisterTerminalsAsync(api, devices, parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture), cancellationToken);
        return await DriveAsync(terminals, rate, duration, batch, () => -1, () => -1, new ConcurrentQueue<double>(), cancellationToken);
    }

    private static async Task<LoadResult> DriveAsync(List<FaceTerminal> terminals, double rate, TimeSpan duration, int batch, Func<long> backlog, Func<long> atHub, ConcurrentQueue<double> endToEnd, CancellationToken cancellationToken)
    {
        foreach (var terminal in terminals)
        {
            terminal.MaxBatch = batch;
            terminal.Start();
        }

        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var backlogSamples = new List<long>();
        long offered = 0;
        var nextSample = TimeSpan.FromSeconds(1);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (clock.Elapsed < duration && await timer.WaitForNextTickAsync(cancellationToken))
        {
            // Offer punches evenly: as many as the rate says should exist by now.
            var due = (long)(rate * clock.Elapsed.TotalSeconds);
            for (; offered < due; offered++)
            {
                terminals[(int)(offered % terminals.Count)].Punch($"W{offered % 5000:D4}", offered % 2 == 0 ? Direction.In : Direction.Out);
            }

            if (clock.Elapsed >= nextSample)
            {
                backlogSamples.Add(backlog());
                nextSample += TimeSpan.FromSeconds(1);
            }
        }

        var sendPhase = clock.Elapsed;
        foreach (var terminal in terminals)
        {
            await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(120), cancellationToken);
        }

        var acked = terminals.Sum(t => (long)t.AckedCount);
        var drainDeadline = DateTime.UtcNow.AddSeconds(60);
        while (atHub() >= 0 && atHub() < acked && DateTime.UtcNow < drainDeadline)
        {
            await Task.Delay(100, cancellationToken);
        }

        process.Refresh();
        var latencies = terminals.SelectMany(t => t.AckLatenciesMs).Order().ToArray();
        var e2e = endToEnd.Order().ToArray();
        var result = new LoadResult(
            terminals.Count, rate, Math.Round(sendPhase.TotalSeconds, 1), batch, offered, acked, atHub(),
            Math.Round(acked / clock.Elapsed.TotalSeconds),
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies.Length > 0 ? Math.Round(latencies[^1], 1) : 0,
            Percentile(e2e, 0.50), Percentile(e2e, 0.99),
            Math.Round((process.TotalProcessorTime - cpuBefore).TotalSeconds, 1),
            Math.Round(process.PeakWorkingSet64 / 1024.0 / 1024.0),
            backlogSamples);
        foreach (var terminal in terminals)
        {
            await terminal.DisposeAsync();
        }

        return result;
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))], 1);
}
