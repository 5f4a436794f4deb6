using SiteHub.Platform.Hosting;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Server;
using SiteHub.Platform.Storage;
using SiteHub.Protocols;
using SiteHub.Protocols.Punches;
using SiteHub.Simulators.Terminals;

namespace SiteHub.Simulators.Load;

/// <summary>What the same load reaches without SiteHub's work, measured in the same run.</summary>
/// <param name="BareMqttnetAckedPerSecond">The same terminals, rate and batching against an MQTTnet server that does nothing (PUBACK at once, nothing stored).</param>
/// <param name="LiteDbInsertsPerSecond">The same number of punch documents inserted into LiteDB in groups of 1,000, each group committed and fsync'd, with the outbox's unique index.</param>
/// <param name="MosquittoAckedPerSecond">The same against a bare mosquitto (no persistence, TCP no-delay); null when mosquitto is not installed.</param>
/// <param name="Peers">The usual do-it-yourself alternative on the same load, one row per autosave setting (empty when mosquitto is not installed).</param>
public sealed record BaselineResult(double BareMqttnetAckedPerSecond, double LiteDbInsertsPerSecond, double? MosquittoAckedPerSecond = null, IReadOnlyList<PeerResult>? Peers = null);

/// <summary>
/// A site mosquitto bridged to a central mosquitto, persistence on in both (TCP no-delay), with a
/// subscriber at the centre counting what arrives: what a site builds without SiteHub.
/// </summary>
/// <param name="Autosave">The persistence setting of both brokers.</param>
/// <param name="AckedPerSecond">Messages the site broker acked to the devices per second (not durable when acked).</param>
/// <param name="Arrived">Messages that reached the subscriber at the centre.</param>
/// <param name="ArrivedPerSecond">Those over the time from the first offer to the last arrival: the end-to-end throughput.</param>
public sealed record PeerResult(string Autosave, double AckedPerSecond, long Arrived, double ArrivedPerSecond);

/// <summary>
/// The limits SiteHub's durable ingest is compared with (issue #8): the raw QoS 1 ack rate of a
/// bare broker for the same devices, and LiteDB's raw durable insert rate for the same records on
/// the same disk.
/// </summary>
public static class Baselines
{
    public static async Task<BaselineResult> MeasureAsync(int devices, double rate, TimeSpan duration, int batch, long records, CancellationToken cancellationToken)
    {
        var broker = await BareMqttnetAsync(devices, rate, duration, batch, cancellationToken);
        var mosquitto = await BareMosquittoAsync(devices, rate, duration, batch, cancellationToken);
        var liteDb = LiteDbInserts(records);
        List<PeerResult> peers = [];
        if (File.Exists(Mosquitto))
        {
            peers.Add(await PeerAsync("autosave default (1800 s)", "autosave_interval 1800", devices, rate, duration, batch, cancellationToken));
            peers.Add(await PeerAsync("autosave every 1 s", "autosave_interval 1", devices, rate, duration, batch, cancellationToken));
            peers.Add(await PeerAsync("autosave on every change", "autosave_on_changes true\nautosave_interval 1", devices, rate, duration, batch, cancellationToken));
        }

        return new BaselineResult(broker, liteDb, mosquitto, peers);
    }

    private const string Mosquitto = "/usr/sbin/mosquitto";

    private static Process StartMosquitto(string config) =>
        Process.Start(new ProcessStartInfo(Mosquitto, ["-c", config]) { RedirectStandardOutput = true, RedirectStandardError = true })!;

    private static async Task<PeerResult> PeerAsync(string name, string autosave, int devices, double rate, TimeSpan duration, int batch, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("sitehub-peer-").FullName;
        var (centralPort, sitePort) = (LoopbackPort.Free(), LoopbackPort.Free());
        var common = $"allow_anonymous true\nset_tcp_nodelay true\npersistence true\nmax_inflight_messages 0\nmax_queued_messages 0\n{autosave}\n"
            + (Environment.UserName == "root" ? "user root\n" : "");
        Directory.CreateDirectory(Path.Combine(folder, "central"));
        Directory.CreateDirectory(Path.Combine(folder, "site"));
        await File.WriteAllTextAsync(Path.Combine(folder, "central.conf"), $"listener {centralPort} 127.0.0.1\npersistence_location {folder}/central/\n{common}", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(folder, "site.conf"), $"listener {sitePort} 127.0.0.1\npersistence_location {folder}/site/\n{common}"
            + $"connection central\naddress 127.0.0.1:{centralPort}\ntopic devices/+/punches out 1\ncleansession false\nclientid site-bridge\n", cancellationToken);
        using var central = StartMosquitto(Path.Combine(folder, "central.conf"));
        Process? site = null;
        try
        {
            await LoopbackPort.WaitUntilListeningAsync(centralPort, cancellationToken);
            long arrived = 0;
            var lastArrival = Stopwatch.StartNew();
            using var subscriber = new MqttClientFactory().CreateMqttClient();
            subscriber.ApplicationMessageReceivedAsync += _ =>
            {
                Interlocked.Increment(ref arrived);
                lastArrival.Restart();
                return Task.CompletedTask;
            };
            await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", centralPort).WithClientId("peer-counter").WithCleanSession().Build(), cancellationToken);
            await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("devices/+/punches", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken);
            site = StartMosquitto(Path.Combine(folder, "site.conf"));
            await LoopbackPort.WaitUntilListeningAsync(sitePort, cancellationToken);

            // Start once the bridge forwards (as SiteHub's runs start with the uplink connected).
            using (var probe = new MqttClientFactory().CreateMqttClient())
            {
                await probe.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", sitePort).WithClientId("peer-probe").Build(), cancellationToken);
                for (var attempt = 0; Interlocked.Read(ref arrived) == 0; attempt++)
                {
                    if (attempt == 300)
                    {
                        throw new TimeoutException("the mosquitto bridge did not forward within 30 s");
                    }

                    await probe.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("devices/probe/punches").WithPayload("{}")
                        .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken);
                    await Task.Delay(100, cancellationToken);
                }

                await probe.DisconnectAsync(cancellationToken: cancellationToken);
            }

            await Task.Delay(500, cancellationToken);
            var before = Interlocked.Read(ref arrived);
            var clock = Stopwatch.StartNew();
            var acked = await AckRateAsync(sitePort, devices, rate, duration, batch, cancellationToken);

            // The centre has what it will get once nothing has arrived for 2 s.
            while (lastArrival.Elapsed < TimeSpan.FromSeconds(2) && clock.Elapsed < duration + TimeSpan.FromMinutes(2))
            {
                await Task.Delay(100, cancellationToken);
            }

            var count = Interlocked.Read(ref arrived) - before;
            var until = clock.Elapsed - lastArrival.Elapsed;
            return new PeerResult(name, acked, count, Math.Round(count / until.TotalSeconds));
        }
        finally
        {
            foreach (var process in new[] { site, central })
            {
                if (process is not null && !process.HasExited)
                {
                    process.Kill();
                    await process.WaitForExitAsync(CancellationToken.None);
                }
            }

            site?.Dispose();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<double> BareMqttnetAsync(int devices, double rate, TimeSpan duration, int batch, CancellationToken cancellationToken)
    {
        var port = LoopbackPort.Free();
        using var server = new MqttServerFactory().CreateMqttServer(new MqttServerOptionsBuilder()
            .WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(IPAddress.Loopback).WithDefaultEndpointPort(port).Build());
        await server.StartAsync();
        var perSecond = await AckRateAsync(port, devices, rate, duration, batch, cancellationToken);
        await server.StopAsync();
        return perSecond;
    }

    /// <summary>A bare mosquitto from Debian's package on a free port (no persistence, TCP no-delay); null when it is not installed.</summary>
    private static async Task<double?> BareMosquittoAsync(int devices, double rate, TimeSpan duration, int batch, CancellationToken cancellationToken)
    {
        if (!File.Exists(Mosquitto))
        {
            return null;
        }

        var folder = Directory.CreateTempSubdirectory("sitehub-mosquitto-baseline-").FullName;
        var port = LoopbackPort.Free();
        var config = Path.Combine(folder, "mosquitto.conf");
        await File.WriteAllTextAsync(config, $"listener {port} 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay true\npersistence false\nmax_inflight_messages 0\nmax_queued_messages 0\n", cancellationToken);
        using var process = StartMosquitto(config);
        try
        {
            await LoopbackPort.WaitUntilListeningAsync(port, cancellationToken);
            return await AckRateAsync(port, devices, rate, duration, batch, cancellationToken);
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None);
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The same terminals, rate and batching as the SiteHub run, against a broker that only acks.</summary>
    private static async Task<double> AckRateAsync(int port, int devices, double rate, TimeSpan duration, int batch, CancellationToken cancellationToken)
    {
        var terminals = Enumerable.Range(1, devices).Select(i => new FaceTerminal($"BASE-{i:D3}", "x", "127.0.0.1", port) { MaxBatch = batch }).ToList();
        foreach (var terminal in terminals)
        {
            terminal.Start();
        }

        var clock = Stopwatch.StartNew();
        long offered = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (clock.Elapsed < duration && await timer.WaitForNextTickAsync(cancellationToken))
        {
            for (var due = (long)(rate * clock.Elapsed.TotalSeconds); offered < due; offered++)
            {
                terminals[(int)(offered % terminals.Count)].Punch($"W{offered % 5000:D4}", Direction.In);
            }
        }

        // One deadline for all: a broker that falls far behind (a peer saving on every change) is
        // measured by what it acked within it, not waited for terminal by terminal.
        await Task.WhenAll(terminals.Select(t => t.WaitDrainedAsync(TimeSpan.FromSeconds(60), cancellationToken)));
        var acked = terminals.Sum(t => (long)t.AckedCount);
        var perSecond = Math.Round(acked / clock.Elapsed.TotalSeconds);
        foreach (var terminal in terminals)
        {
            await terminal.DisposeAsync();
        }

        return perSecond;
    }

    private static double LiteDbInserts(long records)
    {
        var folder = Directory.CreateTempSubdirectory("sitehub-litedb-baseline-").FullName;
        try
        {
            using var db = DurableLiteDatabase.Open(Path.Combine(folder, "baseline.db"));
            var collection = db.Database.GetCollection("punches");
            collection.EnsureIndex("eid", unique: true);
            var now = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            for (long done = 0; done < records;)
            {
                db.Database.BeginTrans();
                for (var i = 0; i < 1000 && done < records; i++, done++)
                {
                    var punch = new DevicePunch("BASE", done, "W0001", now, Direction.In, VerifyMode.Face).ToPunch("site", "gate", Direction.In, now, "sitehub-v1");
                    collection.Insert(new LiteDB.BsonDocument
                    {
                        ["_id"] = done + 1,
                        ["eid"] = punch.EventId,
                        ["json"] = JsonSerializer.SerializeToUtf8Bytes(punch, ProtocolsJsonContext.Default.Punch),
                    });
                }

                db.CommitDurably();
            }

            return Math.Round(records / clock.Elapsed.TotalSeconds);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
