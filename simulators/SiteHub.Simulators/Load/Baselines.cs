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
public sealed record BaselineResult(double BareMqttnetAckedPerSecond, double LiteDbInsertsPerSecond);

/// <summary>
/// The limits SiteHub's durable ingest is compared with (issue #8): the raw QoS 1 ack rate of a
/// bare broker for the same devices, and LiteDB's raw durable insert rate for the same records on
/// the same disk.
/// </summary>
public static class Baselines
{
    public static async Task<BaselineResult> MeasureAsync(int devices, double rate, TimeSpan duration, int batch, long records, CancellationToken cancellationToken)
    {
        var broker = await BareBrokerAsync(devices, rate, duration, batch, cancellationToken);
        var liteDb = LiteDbInserts(records);
        return new BaselineResult(broker, liteDb);
    }

    private static async Task<double> BareBrokerAsync(int devices, double rate, TimeSpan duration, int batch, CancellationToken cancellationToken)
    {
        var port = LoopbackPort.Free();
        using var server = new MqttServerFactory().CreateMqttServer(new MqttServerOptionsBuilder()
            .WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(IPAddress.Loopback).WithDefaultEndpointPort(port).Build());
        await server.StartAsync();
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

        await server.StopAsync();
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
