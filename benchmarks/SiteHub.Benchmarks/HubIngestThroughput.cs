using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MQTTnet;
using MQTTnet.Protocol;
using SiteHub.Hub;
using SiteHub.Hub.Alerts;
using SiteHub.Hub.Influx;
using SiteHub.Hub.Ingest;
using SiteHub.Platform.Hosting;
using SiteHub.Protocols;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.Uplink;

namespace SiteHub.Benchmarks;

/// <summary>
/// <c>hub-ingest</c>: the whole hub, as a site's gateways see it — <paramref name="gateways"/> MQTT
/// clients log in to the hub's embedded broker as gateways and publish <c>PunchBatch</c> messages
/// of <paramref name="batch"/> punches, each keeping <paramref name="inFlight"/> batches unanswered
/// (the uplink's window), counting a batch done on its <c>BatchAck</c> (after the hub's fsync'd
/// commit). Everything the hub does with a punch runs: MQTT ingest, dedupe, punch store, the
/// attendance store, live headcount and the UI's feed, the live rules, and the InfluxDB sink (into a
/// VictoriaMetrics started here when Debian's package is installed). Prints acked punches/s, the
/// process's CPU per punch and that of the commit and attendance threads, the collections of each
/// generation, and when the live rules, the attendance store and the sink had caught up.
/// </summary>
/// <remarks>
/// Run: <c>dotnet run -c Release --project benchmarks/SiteHub.Benchmarks -- hub-ingest [gateways] [punches] [batch] [in-flight] [people] [influx|no-influx] [warm-up punches]</c>.
/// The warm-up punches (other event ids, the same people) are sent and acked before the clock
/// starts, so what is measured is the hub running, not its start-up and JIT compilation.
/// The clients run in this process too: their CPU (serialising nothing — the payloads are built
/// before the clock starts — but sending and receiving) counts against the hub here; under perf
/// their managed frames were under 0.2% of the samples while the clock ran (BENCHMARKS.md).
/// </remarks>
public static class HubIngestThroughput
{
    private const string VictoriaMetrics = "/usr/bin/victoria-metrics";

    public static async Task<int> RunAsync(int gateways, int punches, int batch, int inFlight, int people, bool influx, int warmup)
    {
        var folder = Directory.CreateTempSubdirectory("sitehub-hub-ingest-").FullName;
        Process? victoria = null;
        try
        {
            var (hubPort, brokerPort) = (LoopbackPort.Free(), LoopbackPort.Free());
            List<string> args = ["--urls", $"http://127.0.0.1:{hubPort}", $"--Hub:DataPath={Path.Combine(folder, "hub")}", $"--CentralBroker:Port={brokerPort}",
                "--Admin:Password=bench-admin-pw", "--Serilog:MinimumLevel:Default=Warning"];
            for (var g = 0; g < gateways; g++)
            {
                args.Add($"--Gateways:site-{g}:Password=bench-gateway-pw");
            }

            if (influx && File.Exists(VictoriaMetrics))
            {
                var influxPort = LoopbackPort.Free();
                victoria = StartVictoriaMetrics(influxPort, Path.Combine(folder, "victoria"));
                await LoopbackPort.WaitUntilListeningAsync(influxPort);
                args.Add($"--Influx:Url=http://127.0.0.1:{influxPort}");
                args.Add("--Influx:Token=bench-token");
            }

            await using var hub = HubApp.Build([.. args]);
            await hub.StartAsync();
            var store = hub.Services.GetRequiredService<PunchStore>();
            var rules = hub.Services.GetRequiredService<LiveReconciler>();
            var sink = hub.Services.GetRequiredService<InfluxSink>();
            var attendance = hub.Services.GetRequiredService<AttendanceStore>();

            var perGateway = punches / gateways / batch;
            var warmupPerGateway = warmup / gateways / batch;
            var warmups = Enumerable.Range(0, gateways).Select(g => BuildPayloads($"site-{g}", 0, warmupPerGateway, batch, people)).ToList();
            var payloads = Enumerable.Range(0, gateways).Select(g => BuildPayloads($"site-{g}", warmupPerGateway, perGateway, batch, people)).ToList();
            var senders = new List<GatewaySender>();
            for (var g = 0; g < gateways; g++)
            {
                senders.Add(await GatewaySender.ConnectAsync($"site-{g}", brokerPort, inFlight));
            }

            await Task.WhenAll(senders.Select((sender, g) => sender.SendAllAsync(warmups[g])));
            var warmedUp = store.LastSeq;
            await WaitUntilAsync(() => rules.State.AppliedSeq >= warmedUp && attendance.State.AppliedSeq >= warmedUp, Stopwatch.StartNew());

            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var commitThreadCpu = ThreadCpu("commit:hub-punc");
            var attendanceThreadCpu = ThreadCpu("attendance");
            int[] collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(senders.Select((sender, g) => sender.SendAllAsync(payloads[g])));
            var acked = clock.Elapsed;
            var ackedCpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            var commitCpu = ThreadCpu("commit:hub-punc") - commitThreadCpu;
            var rulesCaughtUp = await WaitUntilAsync(() => rules.State is var s && s.AppliedSeq >= s.StoredSeq && s.QueuedBatches == 0, clock);
            var attendanceCaughtUp = await WaitUntilAsync(() => attendance.State.Lag == 0, clock);
            var sinkCaughtUp = sink.State.Enabled ? await WaitUntilAsync(() => sink.State.Lag == 0, clock) : (TimeSpan?)null;
            var allCpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            var attendanceCpu = ThreadCpu("attendance") - attendanceThreadCpu;
            var gcs = string.Join("/", collections.Select((before, generation) => GC.CollectionCount(generation) - before));

            var total = perGateway * batch * gateways;
            var stored = store.LastSeq - warmedUp;
            var sinkText = sinkCaughtUp is { } s ? FormattableString.Invariant($"InfluxDB sink caught up at {s.TotalSeconds:F1} s") : "InfluxDB sink off";
            Console.WriteLine(FormattableString.Invariant(
                $"hub-ingest: {gateways} gateways × {perGateway} batches of {batch} ({inFlight} in flight each), {people} people, after {warmedUp} warm-up punches: {total} punches, {stored} stored; acked in {acked.TotalSeconds:F1} s = {total / acked.TotalSeconds:F0} punches/s, {ackedCpu.TotalMicroseconds / total:F1} µs CPU per punch, {commitCpu.TotalMicroseconds / total:F1} µs of it on the commit thread (busy {commitCpu / acked:P0}); live rules caught up at {rulesCaughtUp.TotalSeconds:F1} s; attendance store at {attendanceCaughtUp.TotalSeconds:F1} s ({attendanceCpu.TotalMicroseconds / total:F1} µs CPU per punch on its thread); {sinkText}; {allCpu.TotalMicroseconds / total:F1} µs CPU per punch until all caught up; {store.Committer.Commits} commits; gen0/1/2 collections {gcs}"));
            foreach (var sender in senders)
            {
                await sender.DisposeAsync();
            }

            await hub.StopAsync();
            return stored == total ? 0 : 1;
        }
        finally
        {
            if (victoria is not null)
            {
                victoria.Kill(entireProcessTree: true);
                await victoria.WaitForExitAsync();
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    private static List<(string BatchId, byte[] Payload)> BuildPayloads(string site, int firstBatch, int batches, int batch, int people)
    {
        var start = DateTimeOffset.UtcNow;
        var result = new List<(string, byte[])>(batches);
        for (var b = firstBatch; b < firstBatch + batches; b++)
        {
            var group = new Punch[batch];
            for (var k = 0; k < batch; k++)
            {
                var n = b * batch + k;
                group[k] = new DevicePunch($"{site}-D{n % 20}", n, $"W{n % people:D5}", start.AddMilliseconds(n), n % 2 == 0 ? Direction.In : Direction.Out, VerifyMode.Face)
                    .ToPunch(site, "gate-1", Direction.In, start, "sitehub-v1");
            }

            var batchId = $"{site}-{b}";
            result.Add((batchId, JsonSerializer.SerializeToUtf8Bytes(new PunchBatch(site, batchId, group), ProtocolsJsonContext.Default.PunchBatch)));
        }

        return result;
    }

    /// <summary>
    /// CPU time of this process's thread named <paramref name="name"/> (Linux: <c>/proc/self/task/*/stat</c>):
    /// the punch store's commit thread is serial, so its CPU per punch bounds the hub's rate
    /// whatever else shares the cores — a figure that holds on a busy machine where the rate does not.
    /// </summary>
    private static TimeSpan ThreadCpu(string name)
    {
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') != name[..Math.Min(name.Length, 15)])
            {
                continue;
            }

            // Fields after the ")" closing the name: state is 3rd; utime and stime are the 14th and 15th of the line.
            var stat = File.ReadAllText(Path.Combine(task, "stat"));
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
        }

        return TimeSpan.Zero;
    }

    private static async Task<TimeSpan> WaitUntilAsync(Func<bool> condition, Stopwatch clock)
    {
        while (!condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }

        return clock.Elapsed;
    }

    private static Process StartVictoriaMetrics(int port, string data) => Process.Start(new ProcessStartInfo(VictoriaMetrics)
    {
        ArgumentList = { $"-httpListenAddr=127.0.0.1:{port}", $"-storageDataPath={data}", "-retentionPeriod=100y", "-loggerLevel=ERROR" },
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    }) ?? throw new InvalidOperationException("victoria-metrics did not start");

    /// <summary>One gateway's uplink reduced to its wire behaviour: publish QoS 1, wait for the BatchAck, keep a window.</summary>
    private sealed class GatewaySender : IAsyncDisposable
    {
        private readonly IMqttClient _client;
        private readonly string _site;
        private readonly SemaphoreSlim _window;
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _pending = new(StringComparer.Ordinal);

        private GatewaySender(IMqttClient client, string site, int inFlight)
        {
            _client = client;
            _site = site;
            _window = new SemaphoreSlim(inFlight);
            _client.ApplicationMessageReceivedAsync += args =>
            {
                var ack = JsonSerializer.Deserialize(args.ApplicationMessage.Payload.FirstSpan, ProtocolsJsonContext.Default.BatchAck);
                if (ack is not null && _pending.TryRemove(ack.BatchId, out var done))
                {
                    done.TrySetResult();
                }

                return Task.CompletedTask;
            };
        }

        public static async Task<GatewaySender> ConnectAsync(string site, int port, int inFlight)
        {
            var client = new MqttClientFactory().CreateMqttClient();
            var sender = new GatewaySender(client, site, inFlight);
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("gateway-" + site)
                .WithCredentials(site, "bench-gateway-pw").WithCleanStart().Build());
            await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(UplinkTopics.Acks(site), MqttQualityOfServiceLevel.AtLeastOnce).Build());
            return sender;
        }

        public async Task SendAllAsync(List<(string BatchId, byte[] Payload)> payloads)
        {
            var sent = new List<Task>(payloads.Count);
            foreach (var (batchId, payload) in payloads)
            {
                await _window.WaitAsync();
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _pending[batchId] = done;
                sent.Add(done.Task.ContinueWith(_ => _window.Release(), TaskScheduler.Default));
                await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(UplinkTopics.Punches(_site)).WithPayload(payload)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            }

            await Task.WhenAll(sent);
        }

        public async ValueTask DisposeAsync()
        {
            await _client.DisconnectAsync();
            _client.Dispose();
        }
    }
}
