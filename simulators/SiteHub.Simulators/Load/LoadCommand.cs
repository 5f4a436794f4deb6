using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SiteHub.Hub;
using SiteHub.Hub.Ingest;
using SiteHub.Platform.Hosting;
using SiteHub.Protocols.Punches;
using SiteHub.Simulators.Fleet;
using SiteHub.Simulators.Terminals;

namespace SiteHub.Simulators.Load;

/// <summary>What a <c>load</c> run does.</summary>
/// <param name="Devices">Simulated terminals.</param>
/// <param name="Rate">Punches per second offered, all terminals together.</param>
/// <param name="Duration">How long punches are offered.</param>
/// <param name="Batch">Most punches per MQTT message (1: one per message; up to 200 for a cache replay).</param>
public sealed record LoadSettings(int Devices, double Rate, TimeSpan Duration, int Batch)
{
    /// <summary>A running gateway's REST URL to drive instead of starting hub and gateway here.</summary>
    public string? GatewayApiUrl { get; init; }

    /// <summary>With <see cref="GatewayApiUrl"/>: its admin password.</summary>
    public string? AdminPassword { get; init; }

    /// <summary>With <see cref="GatewayApiUrl"/>: its site broker, host:port.</summary>
    public string? Broker { get; init; }

    /// <summary>Run the gateway as its own process, so its CPU and memory are measured apart from the driver's and the hub's.</summary>
    public bool GatewayProcess { get; init; }

    /// <summary>Punches buffered at the gateway while the hub is down, before the live load starts with the hub (backlog replay).</summary>
    public int Replay { get; init; }

    /// <summary>Never start the hub: the gateway only acks devices and buffers (its ingest alone, with the CPU the hub would take left to it).</summary>
    public bool NoHub { get; init; }

    /// <summary>
    /// The same load offered for this long first and not counted (start-up, JIT, first connections),
    /// then everything measured starts again from zero. With <see cref="Replay"/>: the hub serves the
    /// warm-up, then stops while the backlog is buffered and starts again (warm, as a running hub is).
    /// </summary>
    public TimeSpan Warmup { get; init; }
}

/// <summary>CPU and memory of one process over the run.</summary>
/// <param name="CpuSeconds">User plus system CPU time from its start (registration and replay included).</param>
/// <param name="PeakRssMb">Its peak resident memory (VmHWM).</param>
/// <param name="SteadyRssMb">Median resident memory over the second half of the offering phase.</param>
public sealed record ProcessUsage(double CpuSeconds, double PeakRssMb, double SteadyRssMb);

/// <summary>How a backlog buffered while the hub was down drained once it came back, with live punches going on.</summary>
/// <param name="Buffered">Punches acked by the gateway while the hub was down.</param>
/// <param name="LinkUpSeconds">From the hub's start to the gateway's uplink being connected (the uplink's reconnect back-off).</param>
/// <param name="DrainSeconds">From the link being up to the last buffered punch committed at the hub.</param>
public sealed record ReplayResult(int Buffered, double LinkUpSeconds, double DrainSeconds);

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
    /// <summary>The gateway's own CPU and memory, when it ran as its own process (<c>--gateway-process</c>).</summary>
    public ProcessUsage? Gateway { get; init; }

    /// <summary>The backlog replay, when one was asked for (<c>--replay</c>).</summary>
    public ReplayResult? Replay { get; init; }

    /// <summary>SiteHub's durable acks as a fraction of a bare MQTTnet broker's acks for the same load.</summary>
    public double? FractionOfBareBroker => Baselines is { BareMqttnetAckedPerSecond: > 0 } b ? Math.Round(AckedPerSecond / b.BareMqttnetAckedPerSecond, 3) : null;

    /// <summary>SiteHub's durable acks as a fraction of a bare mosquitto's acks for the same load.</summary>
    public double? FractionOfMosquitto => Baselines is { MosquittoAckedPerSecond: > 0 } b ? Math.Round(AckedPerSecond / b.MosquittoAckedPerSecond.Value, 3) : null;

    /// <summary>SiteHub's durable acks as a fraction of LiteDB's raw durable insert rate.</summary>
    public double? FractionOfLiteDb => Baselines is { LiteDbInsertsPerSecond: > 0 } b ? Math.Round(AckedPerSecond / b.LiteDbInsertsPerSecond, 3) : null;
}

/// <summary>
/// <c>load</c>: drives a gateway with simulated sitehub-v1 terminals at a set rate and measures
/// what the design promises — punches offered, acked by the gateway (PUBACK after fsync), reaching
/// the hub; device-ack latency; punch→hub-commit latency; CPU and peak memory; outbox backlog.
/// By default hub and gateway run in this process (so CPU and RSS are theirs and the driver's
/// together); <c>--gateway-process</c> runs the gateway as its own process (its CPU and RSS then
/// apart); <c>--gateway</c>/<c>--broker</c> drive a gateway running elsewhere.
/// </summary>
public static class LoadCommand
{
    private const string Password = "load-admin-pw";
    private const string ReplayPerson = "R";
    private const string LivePerson = "W";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> RunAsync(LoadSettings settings, bool baselines, string? outFile, CancellationToken cancellationToken)
    {
        var result = await MeasureAsync(settings, cancellationToken);
        if (baselines)
        {
            result = result with { Baselines = await Baselines.MeasureAsync(settings.Devices, settings.Rate, settings.Duration, settings.Batch, result.Acked, cancellationToken) };
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
    public static Task<LoadResult> MeasureAsync(LoadSettings settings, CancellationToken cancellationToken) =>
        settings.GatewayApiUrl is null ? RunWithHubAsync(settings, cancellationToken) : RunRemoteAsync(settings, cancellationToken);

    private static async Task<LoadResult> RunWithHubAsync(LoadSettings settings, CancellationToken cancellationToken)
    {
        var data = Directory.CreateTempSubdirectory("sitehub-load-").FullName;
        WebApplication? hub = null;
        try
        {
            var (hubPort, gatewayPort, centralPort, sitePort) = (LoopbackPort.Free(), LoopbackPort.Free(), LoopbackPort.Free(), LoopbackPort.Free());
            string[] hubArgs = ["--urls", $"http://127.0.0.1:{hubPort}", $"--Hub:DataPath={Path.Combine(data, "hub")}", $"--CentralBroker:Port={centralPort}",
                $"--Admin:Password={Password}", "--Gateways:load-site:Password=load-gateway-pw", "--Serilog:MinimumLevel:Default=Warning"];
            string[] gatewayArgs = ["--urls", $"http://127.0.0.1:{gatewayPort}", "--Gateway:SiteId=load-site", $"--Gateway:DataPath={Path.Combine(data, "gateway")}",
                $"--SiteBroker:Port={sitePort}", $"--Uplink:Port={centralPort}", "--Uplink:Password=load-gateway-pw", $"--Admin:Password={Password}", "--Serilog:MinimumLevel:Default=Warning"];
            await using var gateway = settings.GatewayProcess
                ? await GatewayUnderLoad.StartProcessAsync(gatewayArgs, $"http://127.0.0.1:{gatewayPort}", Password, cancellationToken)
                : await GatewayUnderLoad.StartInProcessAsync(gatewayArgs, $"http://127.0.0.1:{gatewayPort}", Password, cancellationToken);

            var liveEndToEnd = new ConcurrentQueue<double>();
            long replayAtHub = 0, liveAtHub = 0;

            // Counted from the store's commit event, not its document count: the count sees a
            // commit a moment before the event reports it, which would end the drain wait early.
            WebApplication BuildHub()
            {
                var built = HubApp.Build(hubArgs);
                built.Services.GetRequiredService<PunchStore>().Committed += punches =>
                {
                    var now = DateTimeOffset.UtcNow;
                    foreach (var p in punches)
                    {
                        if (p.Punch.PersonId.StartsWith(ReplayPerson, StringComparison.Ordinal))
                        {
                            Interlocked.Increment(ref replayAtHub);
                        }
                        else
                        {
                            liveEndToEnd.Enqueue((now - p.Punch.OccurredAt).TotalMilliseconds);
                            Interlocked.Increment(ref liveAtHub);
                        }
                    }
                };
                return built;
            }

            hub = BuildHub();
            var terminals = await FleetCommand.RegisterTerminalsAsync(gateway.Api, settings.Devices, "127.0.0.1", sitePort, cancellationToken);
            Func<long> atHub = settings.NoHub ? () => -1 : () => Interlocked.Read(ref liveAtHub);
            async Task WarmUpAsync()
            {
                await DriveAsync(terminals, settings with { Duration = settings.Warmup }, gateway, atHub, liveEndToEnd, cancellationToken);
                liveEndToEnd.Clear();
                Interlocked.Exchange(ref liveAtHub, 0);
                gateway.RestartSampling();
            }

            Task<ReplayResult>? replay = null;
            if (settings.Replay > 0)
            {
                if (settings.Warmup > TimeSpan.Zero)
                {
                    // A running hub is warm: it serves the live load first, then stops, as if
                    // the site's link were cut, and comes back (same process, code compiled).
                    await hub.StartAsync(cancellationToken);
                    await WarmUpAsync();
                    await hub.StopAsync(CancellationToken.None);
                    await hub.DisposeAsync();
                    hub = BuildHub();
                }

                await BufferBacklogAsync(terminals, settings.Replay, gateway, cancellationToken);
                await hub.StartAsync(cancellationToken);

                // Live punches are offered from the moment the link is up: what arrives before
                // is backlog too (the gateway cannot tell), and waits for the drain like it.
                var linkUp = await WaitForLinkAsync(gateway, cancellationToken);
                replay = MeasureDrainAsync(settings.Replay, linkUp, () => Interlocked.Read(ref replayAtHub), cancellationToken);
            }
            else
            {
                if (!settings.NoHub)
                {
                    await hub.StartAsync(cancellationToken);
                }

                if (settings.Warmup > TimeSpan.Zero)
                {
                    await WarmUpAsync();
                }
            }

            var result = await DriveAsync(terminals, settings, gateway, atHub, liveEndToEnd, cancellationToken);
            result = result with { Gateway = gateway.Usage(), Replay = replay is null ? null : await replay };
            await DisposeAllAsync(terminals);
            await gateway.StopAsync();
            if (!settings.NoHub)
            {
                await hub.StopAsync(CancellationToken.None);
            }

            return result;
        }
        finally
        {
            if (hub is not null)
            {
                await hub.DisposeAsync();
            }

            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Offers <paramref name="count"/> punches in full messages while the hub is down, and waits until the gateway acked them all.</summary>
    private static async Task BufferBacklogAsync(List<FaceTerminal> terminals, int count, GatewayUnderLoad gateway, CancellationToken cancellationToken)
    {
        foreach (var terminal in terminals)
        {
            terminal.MaxBatch = 200;
            terminal.Start();
        }

        for (var i = 0; i < count; i++)
        {
            terminals[i % terminals.Count].Punch($"{ReplayPerson}{i % 5000:D4}", i % 2 == 0 ? Direction.In : Direction.Out);
        }

        foreach (var terminal in terminals)
        {
            await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(300), cancellationToken);
        }

        Console.Error.WriteLine($"load: {count} punches buffered at the gateway (backlog {await gateway.BacklogAsync(cancellationToken)}); starting the hub");
    }

    /// <summary>Waits for the gateway's uplink to connect to the started hub; returns how long that took.</summary>
    private static async Task<TimeSpan> WaitForLinkAsync(GatewayUnderLoad gateway, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!await gateway.UplinkConnectedAsync(cancellationToken))
        {
            await Task.Delay(20, cancellationToken);
        }

        return clock.Elapsed;
    }

    /// <summary>Times the drain of the backlog from the link coming up to the last buffered punch committed at the hub.</summary>
    private static async Task<ReplayResult> MeasureDrainAsync(int buffered, TimeSpan linkUp, Func<long> atHub, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (atHub() < buffered && clock.Elapsed < TimeSpan.FromMinutes(5))
        {
            await Task.Delay(20, cancellationToken);
        }

        return new ReplayResult(buffered, Math.Round(linkUp.TotalSeconds, 2), Math.Round(clock.Elapsed.TotalSeconds, 2));
    }

    private static async Task<LoadResult> RunRemoteAsync(LoadSettings settings, CancellationToken cancellationToken)
    {
        var parts = (settings.Broker ?? "127.0.0.1:1883").Split(':');
        await using var gateway = GatewayUnderLoad.Remote(settings.GatewayApiUrl!, settings.AdminPassword ?? "");
        var terminals = await FleetCommand.RegisterTerminalsAsync(gateway.Api, settings.Devices, parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture), cancellationToken);
        var result = await DriveAsync(terminals, settings, gateway, () => -1, new ConcurrentQueue<double>(), cancellationToken);
        await DisposeAllAsync(terminals);
        return result;
    }

    private static async Task DisposeAllAsync(List<FaceTerminal> terminals)
    {
        foreach (var terminal in terminals)
        {
            await terminal.DisposeAsync();
        }
    }

    private static async Task<LoadResult> DriveAsync(List<FaceTerminal> terminals, LoadSettings settings, GatewayUnderLoad gateway, Func<long> atHub, ConcurrentQueue<double> endToEnd, CancellationToken cancellationToken)
    {
        foreach (var terminal in terminals)
        {
            terminal.MaxBatch = settings.Batch;
            terminal.AckLatenciesMs.Clear();
            terminal.Start();
        }

        var ackedBefore = terminals.Sum(t => (long)t.AckedCount);
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var backlogSamples = new List<long>();
        long offered = 0;
        var nextSample = TimeSpan.FromSeconds(1);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (clock.Elapsed < settings.Duration && await timer.WaitForNextTickAsync(cancellationToken))
        {
            // Offer punches evenly: as many as the rate says should exist by now.
            var due = (long)(settings.Rate * clock.Elapsed.TotalSeconds);
            for (; offered < due; offered++)
            {
                terminals[(int)(offered % terminals.Count)].Punch($"{LivePerson}{offered % 5000:D4}", offered % 2 == 0 ? Direction.In : Direction.Out);
            }

            if (clock.Elapsed >= nextSample)
            {
                backlogSamples.Add(await gateway.BacklogAsync(cancellationToken));
                gateway.SampleMemory(steady: clock.Elapsed > settings.Duration / 2);
                nextSample += TimeSpan.FromSeconds(1);
            }
        }

        var sendPhase = clock.Elapsed;
        foreach (var terminal in terminals)
        {
            await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(120), cancellationToken);
        }

        var acked = terminals.Sum(t => (long)t.AckedCount) - ackedBefore;
        var drainDeadline = DateTime.UtcNow.AddSeconds(60);
        while (atHub() >= 0 && atHub() < acked && DateTime.UtcNow < drainDeadline)
        {
            await Task.Delay(100, cancellationToken);
        }

        process.Refresh();
        var latencies = terminals.SelectMany(t => t.AckLatenciesMs).Order().ToArray();
        var e2e = endToEnd.Order().ToArray();
        var result = new LoadResult(
            terminals.Count, settings.Rate, Math.Round(sendPhase.TotalSeconds, 1), settings.Batch, offered, acked, atHub(),
            Math.Round(acked / clock.Elapsed.TotalSeconds),
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies.Length > 0 ? Math.Round(latencies[^1], 1) : 0,
            Percentile(e2e, 0.50), Percentile(e2e, 0.99),
            Math.Round((process.TotalProcessorTime - cpuBefore).TotalSeconds, 1),
            Math.Round(process.PeakWorkingSet64 / 1024.0 / 1024.0),
            backlogSamples);
        return result;
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))], 1);
}
