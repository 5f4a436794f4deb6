using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SiteHub.Gateway;
using SiteHub.Gateway.Outbox;
using SiteHub.Gateway.Uplink;
using SiteHub.Simulators.Fleet;

namespace SiteHub.Simulators.Load;

/// <summary>
/// The gateway a load run drives: in this process, in its own process (so its CPU and memory can be
/// read from <c>/proc</c>), or running elsewhere. The driver asks it the same questions either way.
/// </summary>
public sealed class GatewayUnderLoad : IAsyncDisposable
{
    private readonly WebApplication? _app;
    private readonly Process? _process;
    private readonly List<double> _steadyRssMb = [];
    private double _cpuSecondsAtStart;

    private GatewayUnderLoad(HttpClient api, WebApplication? app, Process? process)
    {
        Api = api;
        _app = app;
        _process = process;
    }

    /// <summary>Its REST API, logged in as admin.</summary>
    public HttpClient Api { get; }

    public static async Task<GatewayUnderLoad> StartInProcessAsync(string[] args, string url, string adminPassword, CancellationToken cancellationToken)
    {
        var app = GatewayApp.Build(args);
        await app.StartAsync(cancellationToken);
        return new GatewayUnderLoad(FleetCommand.AdminClient(url, adminPassword), app, null);
    }

    /// <summary>Starts <c>SiteHub.Gateway.dll</c> (copied beside this program) with <paramref name="args"/> and waits for its health check.</summary>
    public static async Task<GatewayUnderLoad> StartProcessAsync(string[] args, string url, string adminPassword, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SiteHub.Gateway.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the gateway process");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine("gateway: " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var gateway = new GatewayUnderLoad(FleetCommand.AdminClient(url, adminPassword), null, process);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var health = await gateway.Api.GetAsync("/health", cancellationToken);
                if (health.IsSuccessStatusCode || (int)health.StatusCode == 503)
                {
                    break; // up (503: degraded because the hub is not reachable yet, which a replay run wants)
                }
            }
            catch (HttpRequestException) when (deadline.Elapsed < TimeSpan.FromSeconds(60) && !process.HasExited)
            {
            }

            await Task.Delay(100, cancellationToken);
        }

        gateway._cpuSecondsAtStart = ReadCpuSeconds(process.Id);
        return gateway;
    }

    public static GatewayUnderLoad Remote(string url, string adminPassword) => new(FleetCommand.AdminClient(url, adminPassword), null, null);

    /// <summary>Punches committed but not yet acked by the hub; -1 when it cannot be read.</summary>
    public async Task<long> BacklogAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            return _app.Services.GetRequiredService<OutboxStore>().PendingCount;
        }

        try
        {
            using var outbox = await Api.GetFromJsonAsync<JsonDocument>("/api/outbox", cancellationToken);
            return outbox!.RootElement.GetProperty("pending").GetInt64();
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException)
        {
            return -1;
        }
    }

    /// <summary>Whether the gateway's uplink to the hub is connected.</summary>
    public async Task<bool> UplinkConnectedAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            return _app.Services.GetRequiredService<UplinkService>().IsConnected;
        }

        using var uplink = await Api.GetFromJsonAsync<JsonDocument>("/api/uplink", cancellationToken);
        var link = uplink!.RootElement.GetProperty("link");
        return link.ValueKind == JsonValueKind.Number
            ? link.GetInt32() == (int)SiteHub.Platform.Mqtt.MqttLinkState.Connected
            : string.Equals(link.GetString(), nameof(SiteHub.Platform.Mqtt.MqttLinkState.Connected), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Forgets the steady-memory samples taken so far (after a warm-up).</summary>
    public void RestartSampling() => _steadyRssMb.Clear();

    /// <summary>Takes a resident-memory sample of the gateway process (kept when <paramref name="steady"/>).</summary>
    public void SampleMemory(bool steady)
    {
        if (_process is not null && steady && ReadStatusKb(_process.Id, "VmRSS:") is { } rss)
        {
            _steadyRssMb.Add(rss / 1024.0);
        }
    }

    /// <summary>The gateway process's CPU and memory so far; null when it is not a process of this run.</summary>
    public ProcessUsage? Usage()
    {
        if (_process is null || _process.HasExited)
        {
            return null;
        }

        var steady = _steadyRssMb.Order().ToList();
        return new ProcessUsage(
            Math.Round(ReadCpuSeconds(_process.Id) - _cpuSecondsAtStart, 1),
            Math.Round((ReadStatusKb(_process.Id, "VmHWM:") ?? 0) / 1024.0),
            steady.Count == 0 ? 0 : Math.Round(steady[steady.Count / 2]));
    }

    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
        }

        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        _process?.Dispose();
        Api.Dispose();
    }

    /// <summary>User plus system CPU time of a process, from <c>/proc/{pid}/stat</c> (in clock ticks of 1/100 s).</summary>
    private static double ReadCpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static long? ReadStatusKb(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}
