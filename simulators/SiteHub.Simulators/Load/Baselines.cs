using SiteHub.Platform.Hosting;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
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
public sealed record BaselineResult(double BareMqttnetAckedPerSecond, double LiteDbInsertsPerSecond, double? MosquittoAckedPerSecond = null);

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
        return new BaselineResult(broker, liteDb, mosquitto);
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
        const string Mosquitto = "/usr/sbin/mosquitto";
        if (!File.Exists(Mosquitto))
        {
            return null;
        }

        var folder = Directory.CreateTempSubdirectory("sitehub-mosquitto-baseline-").FullName;
        var port = LoopbackPort.Free();
        var config = Path.Combine(folder, "mosquitto.conf");
        await File.WriteAllTextAsync(config, $"listener {port} 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay true\npersistence false\nmax_inflight_messages 0\nmax_queued_messages 0\n", cancellationToken);
        using var process = Process.Start(new ProcessStartInfo(Mosquitto, ["-c", config]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        try
        {
            await WaitForPortAsync(port, cancellationToken);
            return await AckRateAsync(port, devices, rate, duration, batch, cancellationToken);
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None);
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task WaitForPortAsync(int port, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return;
            }
            catch (System.Net.Sockets.SocketException) when (attempt < 100)
            {
                await Task.Delay(50, cancellationToken);
            }
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

        foreach (var terminal in terminals)
        {
            await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }

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
