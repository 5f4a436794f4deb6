using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SiteHub.Hub.Configuration;
using SiteHub.Hub.Ingest;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.Uplink;

namespace SiteHub.Benchmarks;

/// <summary>
/// <c>hub-store</c>: the hub's punch store alone, on this disk — <paramref name="gateways"/> gateways
/// each sending batches of <paramref name="batch"/> punches and waiting for the ack (after the fsync'd
/// group commit with dedupe and attendance), as the uplink does. Prints punches/s and CPU per punch.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project benchmarks/SiteHub.Benchmarks -- hub-store [gateways] [punches] [batch]</c>.</remarks>
public static class HubStoreThroughput
{
    public static async Task<int> RunAsync(int gateways, int punches, int batch)
    {
        var folder = Directory.CreateTempSubdirectory("sitehub-hub-bench-").FullName;
        try
        {
            using var store = new PunchStore(Options.Create(new HubOptions { DataPath = folder }), NullLogger<PunchStore>.Instance);
            var now = DateTimeOffset.UtcNow;
            var perGateway = punches / gateways;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var senders = Enumerable.Range(0, gateways).Select(g => Task.Run(async () =>
            {
                var site = $"site-{g}";
                for (var i = 0; i < perGateway; i += batch)
                {
                    var group = new Punch[Math.Min(batch, perGateway - i)];
                    for (var k = 0; k < group.Length; k++)
                    {
                        var n = i + k;
                        group[k] = new DevicePunch($"{site}-D{n % 20}", n, $"W{n % 2000:D4}", now.AddMilliseconds(n), n % 2 == 0 ? Direction.In : Direction.Out, VerifyMode.Face)
                            .ToPunch(site, "gate-1", Direction.In, now, "sitehub-v1");
                    }

                    await store.StoreAsync(site, new PunchBatch(site, $"{site}-{i}", group));
                }
            })).ToArray();
            await Task.WhenAll(senders);
            var elapsed = clock.Elapsed;
            var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            var total = perGateway * gateways;
            if (store.Count != total)
            {
                throw new InvalidOperationException($"hub-store: {store.Count} punches stored of {total} sent: the event ids must be unique");
            }

            Console.WriteLine($"hub-store: {gateways} gateways × {perGateway} punches (batches of {batch}): {total / elapsed.TotalSeconds:F0} punches/s committed and acked, "
                + $"{used.TotalMicroseconds / total:F1} µs CPU per punch, {store.Committer.Commits} commits");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
