using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using SiteHub.Gateway.Outbox;
using SiteHub.Protocols.Punches;

namespace SiteHub.Benchmarks;

/// <summary>
/// <c>outbox</c>: the gateway outbox alone, on this disk — how many single-punch appends per second
/// <paramref name="devices"/> concurrent writers get acked (each waiting for its fsync'd group commit
/// like a device waiting for its PUBACK), while an uplink reader reads the backlog and marks it
/// delivered as the hub would. Prints punches/s and CPU microseconds per punch.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project benchmarks/SiteHub.Benchmarks -- outbox [devices] [punches] [batch]</c>.</remarks>
public static class OutboxThroughput
{
    public static async Task<int> RunAsync(int devices, int punches, int batch)
    {
        var folder = Directory.CreateTempSubdirectory("sitehub-outbox-bench-").FullName;
        try
        {
            using var outbox = new OutboxStore(folder, TimeProvider.System, NullLogger<OutboxStore>.Instance);
            var now = DateTimeOffset.UtcNow;
            var perDevice = punches / devices;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            using var stop = new CancellationTokenSource();
            var delivered = 0L;
            var uplink = Task.Run(async () =>
            {
                var inFlight = new HashSet<long>();
                long cursor = 0;
                while (!stop.IsCancellationRequested || outbox.PendingCount > 0)
                {
                    var read = outbox.ReadPending(cursor, 500, inFlight);
                    if (read.Count == 0)
                    {
                        cursor = 0;
                        await Task.Delay(1);
                        continue;
                    }

                    cursor = read[^1].Seq;
                    await outbox.MarkDeliveredAsync(read.ConvertAll(e => e.Seq));
                    delivered += read.Count;
                }
            });
            var writers = Enumerable.Range(0, devices).Select(d => Task.Run(async () =>
            {
                for (var i = 0; i < perDevice; i += batch)
                {
                    var group = new Punch[Math.Min(batch, perDevice - i)];
                    for (var k = 0; k < group.Length; k++)
                    {
                        group[k] = new DevicePunch($"D{d}", i + k, $"W{(i + k) % 5000:D4}", now, Direction.In, VerifyMode.Face)
                            .ToPunch("bench-site", "gate-1", Direction.In, now, "sitehub-v1");
                    }

                    await outbox.AppendAsync(group);
                }
            })).ToArray();
            await Task.WhenAll(writers);
            var ingest = clock.Elapsed;
            var ingestCpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            await stop.CancelAsync();
            await uplink;
            var total = perDevice * devices;
            Console.WriteLine($"outbox: {devices} writers × {perDevice} punches (batches of {batch}): {total / ingest.TotalSeconds:F0} punches/s acked, "
                + $"{ingestCpu.TotalMicroseconds / total:F1} µs CPU per punch, {outbox.Committer.Commits} commits; drained {delivered} in {clock.Elapsed.TotalSeconds:F1} s total");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
