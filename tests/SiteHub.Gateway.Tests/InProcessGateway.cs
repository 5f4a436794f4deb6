using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SiteHub.Gateway;
using SiteHub.Gateway.Outbox;
using SiteHub.Simulators.Terminals;
using SiteHub.Testing;

namespace SiteHub.Gateway.Tests;

/// <summary>A real gateway (embedded broker, LiteDB outbox in a temp folder) hosted in the test process.</summary>
public sealed class InProcessGateway : IAsyncDisposable
{
    public const string AdminPassword = "test-admin-pw";
    private readonly TempFolder _folder;
    private readonly string[] _extraArgs;
    private readonly Action<IServiceCollection>? _configureServices;

    private InProcessGateway(WebApplication app, TempFolder folder, int httpPort, int brokerPort, string[] extraArgs, Action<IServiceCollection>? configureServices)
    {
        _extraArgs = extraArgs;
        _configureServices = configureServices;
        App = app;
        _folder = folder;
        HttpPort = httpPort;
        BrokerPort = brokerPort;
        Api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + AdminPassword)));
    }

    public WebApplication App { get; private set; }

    public int HttpPort { get; }

    public int BrokerPort { get; }

    public HttpClient Api { get; }

    public string DataPath => _folder.Path;

    public OutboxStore Outbox => App.Services.GetRequiredService<OutboxStore>();

    public static Task<InProcessGateway> StartAsync(CancellationToken cancellationToken, params string[] extraArgs) =>
        StartAsync(null, cancellationToken, extraArgs);

    /// <summary>Starts a gateway; <paramref name="configureServices"/> changes services last (tests capture the logs).</summary>
    public static async Task<InProcessGateway> StartAsync(Action<IServiceCollection>? configureServices, CancellationToken cancellationToken, params string[] extraArgs)
    {
        var folder = new TempFolder("gateway");
        var httpPort = TestEnvironment.FreePort();
        var brokerPort = TestEnvironment.FreePort();
        var app = await StartAppAsync(folder, httpPort, brokerPort, extraArgs, configureServices, cancellationToken);
        return new InProcessGateway(app, folder, httpPort, brokerPort, extraArgs, configureServices);
    }

    /// <summary>Stops the gateway and starts a new one on the same data folder and ports (a restart).</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        await App.StopAsync(cancellationToken);
        await App.DisposeAsync();
        App = await StartAppAsync(_folder, HttpPort, BrokerPort, _extraArgs, _configureServices, cancellationToken);
    }

    /// <summary>Registers a device of any protocol through the REST API.</summary>
    public async Task RegisterAsync(string sn, string protocol, CancellationToken cancellationToken, string gate = "gate-1", string direction = "in", string? deviceUrl = null)
    {
        using var response = await Api.PostAsJsonAsync("/api/devices", new { sn, secret = "secret-" + sn, protocol, gate, direction, deviceUrl }, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<WebApplication> StartAppAsync(TempFolder folder, int httpPort, int brokerPort, string[] extraArgs, Action<IServiceCollection>? configureServices, CancellationToken cancellationToken)
    {
        var app = GatewayApp.Build(
        [
            "--urls", $"http://127.0.0.1:{httpPort}",
            "--Gateway:SiteId=site-a",
            $"--Gateway:DataPath={folder.Path}",
            $"--SiteBroker:Port={brokerPort}",
            "--Uplink:Host=127.0.0.1",
            $"--Uplink:Port={TestEnvironment.FreePort()}",
            "--Uplink:Password=unused-here",
            $"--Admin:Password={AdminPassword}",
            "--Serilog:MinimumLevel:Default=Warning",
            .. extraArgs,
        ], configureServices);
        await app.StartAsync(cancellationToken);
        return app;
    }

    /// <summary>Registers a device through the REST API and returns a terminal for it (not started).</summary>
    public async Task<FaceTerminal> AddTerminalAsync(string sn, CancellationToken cancellationToken, string direction = "in")
    {
        var secret = "secret-" + sn;
        using var response = await Api.PostAsJsonAsync("/api/devices", new { sn, secret, protocol = "sitehub-v1", gate = "gate-1", direction }, cancellationToken);
        response.EnsureSuccessStatusCode();
        return new FaceTerminal(sn, secret, "127.0.0.1", BrokerPort);
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        _folder.Dispose();
    }
}
