using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using SiteHub.Simulators.Terminals;

namespace SiteHub.Simulators.Fleet;

/// <summary>
/// <c>fleet</c>: a simulated site driving a running gateway over the network — registers its face
/// terminals through the gateway's REST API, then runs the shift pattern until stopped.
/// </summary>
public static class FleetCommand
{
    /// <summary>Registers <paramref name="devices"/> face terminals (FACE-001…) at the gateway and returns them, not started.</summary>
    public static async Task<List<FaceTerminal>> RegisterTerminalsAsync(HttpClient gatewayApi, int devices, string brokerHost, int brokerPort, CancellationToken cancellationToken)
    {
        var terminals = new List<FaceTerminal>();
        for (var i = 1; i <= devices; i++)
        {
            var sn = string.Create(CultureInfo.InvariantCulture, $"FACE-{i:D3}");
            var secret = "sim-secret-" + sn;
            var gate = i % 2 == 1 ? "gate-east" : "gate-west";
            using var response = await gatewayApi.PostAsJsonAsync("/api/devices", new { sn, secret, protocol = "sitehub-v1", gate, direction = "unknown" }, cancellationToken);
            response.EnsureSuccessStatusCode();
            // Terminals number their records for life; a simulator run starts where the clock is, so
            // a second run against the same gateway does not repeat the first run's record numbers.
            terminals.Add(new FaceTerminal(sn, secret, brokerHost, brokerPort, firstSeq: DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 100));
        }

        return terminals;
    }

    /// <summary>Worker ids W0001… as on the demo roster.</summary>
    public static List<string> Workers(int count) =>
        Enumerable.Range(1, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"W{i:D4}")).ToList();

    /// <summary>An API client with the admin's Basic credentials.</summary>
    public static HttpClient AdminClient(string baseUrl, string adminPassword)
    {
        var client = new HttpClient { BaseAddress = new Uri(baseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + adminPassword)));
        return client;
    }

    public static async Task<int> RunAsync(string gatewayApiUrl, string adminPassword, string brokerHost, int brokerPort, int devices, int workers, TimeSpan dayLength, CancellationToken cancellationToken)
    {
        using var api = AdminClient(gatewayApiUrl, adminPassword);
        List<FaceTerminal> terminals;
        while (true)
        {
            try
            {
                terminals = await RegisterTerminalsAsync(api, devices, brokerHost, brokerPort, cancellationToken);
                break;
            }
            catch (HttpRequestException ex)
            {
                // The gateway may still be starting (compose starts everything at once).
                Console.WriteLine($"gateway not ready ({ex.Message}); retrying");
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            }
        }

        await using var fleet = new SiteFleet(terminals, Workers(workers), dayLength, seed: 2026);
        Console.WriteLine($"{devices} terminals, {workers} workers, a day every {dayLength.TotalMinutes:0.#} min, publishing to {brokerHost}:{brokerPort}");
        var run = fleet.RunAsync(cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] recorded {fleet.Recorded}, acked {fleet.Acked}, cached {fleet.Terminals.Sum(t => t.Cached)}");
        }

        await run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return 0;
    }
}
