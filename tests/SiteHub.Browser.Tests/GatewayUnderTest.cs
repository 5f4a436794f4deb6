using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SiteHub.Gateway;
using SiteHub.Gateway.Outbox;
using SiteHub.Hub;
using SiteHub.Simulators.Terminals;
using SiteHub.Testing;

namespace SiteHub.Browser.Tests;

/// <summary>A real gateway (embedded site broker, LiteDB in a temp folder) in the test process, for the browser to visit.</summary>
public sealed class GatewayUnderTest : IAsyncDisposable
{
    public const string AdminPassword = "browser-admin-pw";
    private readonly TempFolder _folder;

    private GatewayUnderTest(WebApplication app, TempFolder folder, int httpPort, int brokerPort)
    {
        App = app;
        _folder = folder;
        BrokerPort = brokerPort;
        BaseUrl = $"http://127.0.0.1:{httpPort}";
        Api = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + AdminPassword)));
    }

    public WebApplication App { get; }

    public string BaseUrl { get; }

    public int BrokerPort { get; }

    /// <summary>The REST API with the admin's Basic credentials (scripts keep using Basic).</summary>
    public HttpClient Api { get; }

    public OutboxStore Outbox => App.Services.GetRequiredService<OutboxStore>();

    /// <summary>Starts a gateway whose uplink goes to <paramref name="uplinkPort"/> (default: a port nobody listens on).</summary>
    public static async Task<GatewayUnderTest> StartAsync(CancellationToken cancellationToken, int? uplinkPort = null, string uplinkPassword = "unused-here")
    {
        var folder = new TempFolder("gateway-ui");
        var httpPort = TestEnvironment.FreePort();
        var brokerPort = TestEnvironment.FreePort();
        var app = GatewayApp.Build(
        [
            "--urls", $"http://127.0.0.1:{httpPort}",
            "--Gateway:SiteId=site-a",
            $"--Gateway:DataPath={folder.Path}",
            $"--SiteBroker:Port={brokerPort}",
            "--Uplink:Host=127.0.0.1",
            $"--Uplink:Port={uplinkPort ?? TestEnvironment.FreePort()}",
            $"--Uplink:Password={uplinkPassword}",
            "--Uplink:AckTimeout=00:00:02",
            $"--Admin:Password={AdminPassword}",
            "--Commands:DispatchInterval=00:00:00.200",
            "--Serilog:MinimumLevel:Default=Warning",
        ]);
        await app.StartAsync(cancellationToken);
        return new GatewayUnderTest(app, folder, httpPort, brokerPort);
    }

    /// <summary>Registers a device through the REST API and returns a face terminal for it (not started).</summary>
    public async Task<FaceTerminal> AddTerminalAsync(string sn, CancellationToken cancellationToken, string protocol = "sitehub-v1", string gate = "east-gate")
    {
        var secret = "secret-" + sn;
        using var response = await Api.PostAsJsonAsync("/api/devices", new { sn, secret, protocol, gate, direction = "in" }, cancellationToken);
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

/// <summary>A real hub (embedded central broker) in the test process, for the uplink panel tests.</summary>
public sealed class HubUnderTest : IAsyncDisposable
{
    public const string GatewayPassword = "gateway-pw-a";
    private readonly TempFolder _folder;

    private HubUnderTest(WebApplication app, TempFolder folder, int brokerPort)
    {
        App = app;
        _folder = folder;
        BrokerPort = brokerPort;
    }

    public WebApplication App { get; }

    public int BrokerPort { get; }

    public static async Task<HubUnderTest> StartAsync(CancellationToken cancellationToken)
    {
        var folder = new TempFolder("hub-ui");
        var brokerPort = TestEnvironment.FreePort();
        var app = HubApp.Build(
        [
            "--urls", $"http://127.0.0.1:{TestEnvironment.FreePort()}",
            $"--Hub:DataPath={folder.Path}",
            $"--CentralBroker:Port={brokerPort}",
            "--Admin:Password=hub-admin-pw",
            $"--Gateways:site-a:Password={GatewayPassword}",
            "--Serilog:MinimumLevel:Default=Warning",
        ]);
        await app.StartAsync(cancellationToken);
        return new HubUnderTest(app, folder, brokerPort);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        _folder.Dispose();
    }
}
