using SiteHub.Platform.Hosting;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using SiteHub.Gateway;
using SiteHub.Hub;
using SiteHub.Simulators.Fleet;
using SiteHub.Simulators.Terminals;

namespace SiteHub.Simulators.Demo;

/// <summary>
/// Everything in one process with no setup: the hub with its embedded central broker, one site's
/// gateway with its embedded site broker, and a simulated site of face terminals and workers whose
/// working day is compressed into a few minutes. Prints the URLs and a running count.
/// </summary>
public static class DemoCommand
{
    public const string DemoPassword = "demo-admin-pw";

    public static async Task<int> RunAsync(int devices, int workers, TimeSpan dayLength, string dataPath, TimeSpan? duration, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dataPath);
        var hubPort = LoopbackPort.Free();
        var gatewayPort = LoopbackPort.Free();
        var centralBrokerPort = LoopbackPort.Free();
        var siteBrokerPort = LoopbackPort.Free();
        const string SiteId = "demo-site";
        const string GatewayPassword = "demo-gateway-pw";

        await using var hub = HubApp.Build(
        [
            "--urls", $"http://127.0.0.1:{hubPort}",
            $"--Hub:DataPath={Path.Combine(dataPath, "hub")}",
            $"--CentralBroker:Port={centralBrokerPort}",
            $"--Admin:Password={DemoPassword}",
            $"--Gateways:{SiteId}:Password={GatewayPassword}",
            "--Serilog:MinimumLevel:Default=Warning",
        ]);
        await hub.StartAsync(cancellationToken);

        await using var gateway = GatewayApp.Build(
        [
            "--urls", $"http://127.0.0.1:{gatewayPort}",
            $"--Gateway:SiteId={SiteId}",
            $"--Gateway:DataPath={Path.Combine(dataPath, "gateway")}",
            $"--SiteBroker:Port={siteBrokerPort}",
            "--Uplink:Host=127.0.0.1",
            $"--Uplink:Port={centralBrokerPort}",
            $"--Uplink:Password={GatewayPassword}",
            $"--Admin:Password={DemoPassword}",
            "--Serilog:MinimumLevel:Default=Warning",
        ]);
        await gateway.StartAsync(cancellationToken);

        using var gatewayApi = FleetCommand.AdminClient($"http://127.0.0.1:{gatewayPort}", DemoPassword);
        using var hubApi = FleetCommand.AdminClient($"http://127.0.0.1:{hubPort}", DemoPassword);

        var terminals = await FleetCommand.RegisterTerminalsAsync(gatewayApi, devices, "127.0.0.1", siteBrokerPort, cancellationToken);
        var workerIds = FleetCommand.Workers(workers);
        var bank = new DemoBank(hubApi, SiteId, workerIds, TimeProvider.System);
        await bank.ImportRegistryAsync(cancellationToken);
        await using var fleet = new SiteFleet(terminals, workerIds, dayLength, seed: 2026);

        Console.WriteLine($"""

            SiteHub demo is running (Ctrl+C to stop). Data in {Path.GetFullPath(dataPath)}
              Hub REST API      http://127.0.0.1:{hubPort}/api/sites   (user admin, password {DemoPassword})
              Alerts            http://127.0.0.1:{hubPort}/api/alerts?status=open   (the bank's payouts arrive after the first simulated day)
              Reconciliation    http://127.0.0.1:{hubPort}/api/projects/{DemoBank.ProjectId}/reconciliation/{DateTime.UtcNow.AddHours(8):yyyy-MM}
              Gateway web UI    http://127.0.0.1:{gatewayPort}/   (admin / {DemoPassword}; REST under /api)
              Central broker    mqtt://127.0.0.1:{centralBrokerPort}   Site broker mqtt://127.0.0.1:{siteBrokerPort}
              Simulated site    {devices} face terminals, {workers} workers, a working day every {dayLength.TotalMinutes:0.#} min

            """);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (duration is { } limit)
        {
            stop.CancelAfter(limit);
        }

        var run = fleet.RunAsync(stop.Token);
        var payoutsDue = DateTime.UtcNow + dayLength + TimeSpan.FromSeconds(5);
        var payoutsImported = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(5), stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            await PrintStatusAsync(hubApi, SiteId, fleet, stop.Token);
            if (!payoutsImported && DateTime.UtcNow >= payoutsDue)
            {
                payoutsImported = await ImportPayoutsAsync(bank, hubApi, hubPort, stop.Token);
            }
        }

        await run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await PrintStatusAsync(hubApi, SiteId, fleet, CancellationToken.None);
        await gateway.StopAsync(CancellationToken.None);
        await hub.StopAsync(CancellationToken.None);
        return 0;
    }

    private static async Task PrintStatusAsync(HttpClient hubApi, string siteId, SiteFleet fleet, CancellationToken cancellationToken)
    {
        try
        {
            var headcount = await hubApi.GetFromJsonAsync<HeadcountDto>($"/api/sites/{siteId}/headcount", cancellationToken);
            var punches = await hubApi.GetFromJsonAsync<List<object>>($"/api/punches?site={siteId}&limit=100000", cancellationToken);
            Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] punches recorded {fleet.Recorded}, acked by gateway {fleet.Acked}, at hub {punches?.Count}; on site now {headcount?.OnSite}");
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] hub not answering: {ex.Message}");
        }
    }

    private static async Task<bool> ImportPayoutsAsync(DemoBank bank, HttpClient hubApi, int hubPort, CancellationToken cancellationToken)
    {
        try
        {
            var (imported, planted) = await bank.ImportPayoutsAsync(cancellationToken);
            var open = await hubApi.GetFromJsonAsync<List<object>>("/api/alerts?status=open", cancellationToken);
            Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] bank payouts imported: {imported} rows, {planted} anomalies planted; {open?.Count} alerts open at http://127.0.0.1:{hubPort}/api/alerts?status=open (UNPAID/UNDERPAID follow once this month's wages are due)");
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException)
        {
            Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] bank payouts not imported yet: {ex.Message}");
            return false;
        }
    }

    private sealed record HeadcountDto(string SiteId, int OnSite, DateTimeOffset AsOf);
}
