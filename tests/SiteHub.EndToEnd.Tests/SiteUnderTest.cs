using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SiteHub.Simulators.Terminals;
using SiteHub.Testing;

namespace SiteHub.EndToEnd.Tests;

/// <summary>
/// A hub and a gateway as real processes (the built apps, <c>dotnet App.dll</c>), with their data
/// in temp folders and everything on free loopback ports, so tests can SIGKILL and restart them.
/// </summary>
public sealed class SiteUnderTest : IAsyncDisposable
{
    public const string SiteId = "site-e2e";
    private const string AdminPassword = "e2e-admin-pw";
    private const string GatewayPassword = "e2e-gateway-pw";
    private readonly TempFolder _folder = new("e2e");
    private readonly int _hubHttp = TestEnvironment.FreePort();
    private readonly int _gatewayHttp = TestEnvironment.FreePort();
    private SiteUnderTest(string[] extraHubArgs)
    {
        ExtraHubArgs = extraHubArgs;
        ExtraGatewayArgs = [];
        var basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + AdminPassword)));
        HubApi = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_hubHttp}") };
        HubApi.DefaultRequestHeaders.Authorization = basic;
        GatewayApi = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_gatewayHttp}") };
        GatewayApi.DefaultRequestHeaders.Authorization = basic;
    }

    public int CentralBrokerPort { get; } = TestEnvironment.FreePort();

    public int SiteBrokerPort { get; } = TestEnvironment.FreePort();

    /// <summary>Settings added to the hub's command line at its next start.</summary>
    public string[] ExtraHubArgs { get; set; }

    /// <summary>Settings added to the gateway's command line at its next start.</summary>
    public string[] ExtraGatewayArgs { get; set; }

    /// <summary>A folder for the test's own files (certificates…), deleted with the site.</summary>
    public string Folder => _folder.Path;

    public ChildProcess? Hub { get; private set; }

    public ChildProcess? Gateway { get; private set; }

    public HttpClient HubApi { get; }

    public HttpClient GatewayApi { get; }

    public static async Task<SiteUnderTest> StartAsync(CancellationToken cancellationToken, params string[] extraHubArgs)
    {
        var site = new SiteUnderTest(extraHubArgs);
        await site.StartHubAsync(cancellationToken);
        await site.StartGatewayAsync(cancellationToken);
        return site;
    }

    /// <summary>A site whose processes are not started yet (the test configures them first).</summary>
    public static SiteUnderTest Create(params string[] extraHubArgs) => new(extraHubArgs);

    public async Task StartHubAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_folder.Combine("hub"));
        Hub = ChildProcess.StartApp("hub", "hub/SiteHub.Hub",
        [
            "--urls", $"http://127.0.0.1:{_hubHttp}",
            $"--Hub:DataPath={_folder.Combine("hub")}",
            $"--CentralBroker:Port={CentralBrokerPort}",
            $"--Admin:Password={AdminPassword}",
            $"--Gateways:{SiteId}:Password={GatewayPassword}",
            .. ExtraHubArgs,
        ], _folder.Combine("hub"));
        await WaitHealthyAsync(HubApi, Hub, cancellationToken);
    }

    public async Task StartGatewayAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_folder.Combine("gateway"));
        Gateway = ChildProcess.StartApp("gateway", "gateway/SiteHub.Gateway",
        [
            "--urls", $"http://127.0.0.1:{_gatewayHttp}",
            $"--Gateway:SiteId={SiteId}",
            $"--Gateway:DataPath={_folder.Combine("gateway")}",
            $"--SiteBroker:Port={SiteBrokerPort}",
            "--Uplink:Host=127.0.0.1",
            $"--Uplink:Port={CentralBrokerPort}",
            $"--Uplink:Password={GatewayPassword}",
            "--Uplink:AckTimeout=00:00:03",
            $"--Admin:Password={AdminPassword}",
            .. ExtraGatewayArgs,
        ], _folder.Combine("gateway"));
        await WaitHealthyAsync(GatewayApi, Gateway, cancellationToken);
    }

    private static async Task WaitHealthyAsync(HttpClient api, ChildProcess process, CancellationToken cancellationToken)
    {
        await TestEnvironment.WaitUntilAsync(
            async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"{process.Name} exited during start-up:\n{process.Output}");
                }

                using var response = await api.GetAsync("/health", cancellationToken);
                return response.IsSuccessStatusCode;
            },
            TimeSpan.FromSeconds(60),
            process.Name + " to answer /health",
            cancellationToken);
    }

    /// <summary>Registers one device through the gateway's REST API (<c>POST /api/devices</c>).</summary>
    public async Task RegisterAsync(object device, CancellationToken cancellationToken)
    {
        using var response = await GatewayApi.PostAsJsonAsync("/api/devices", device, cancellationToken);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>
    /// Registers devices at the gateway and returns their terminals (started), connected to the
    /// gateway's embedded site broker or to <paramref name="brokerPort"/> (an external site broker).
    /// </summary>
    public async Task<List<FaceTerminal>> AddTerminalsAsync(int count, CancellationToken cancellationToken, int? brokerPort = null)
    {
        var terminals = new List<FaceTerminal>();
        for (var i = 1; i <= count; i++)
        {
            var sn = $"E2E-{i:D2}";
            using var response = await GatewayApi.PostAsJsonAsync("/api/devices", new { sn, secret = "secret-" + sn, gate = "gate-1", direction = "in" }, cancellationToken);
            response.EnsureSuccessStatusCode();
            var terminal = new FaceTerminal(sn, "secret-" + sn, "127.0.0.1", brokerPort ?? SiteBrokerPort);
            terminal.Start();
            terminals.Add(terminal);
        }

        return terminals;
    }

    /// <summary>The event ids of every punch the hub stored for the site (with repeats, if any were stored twice).</summary>
    public async Task<List<string>> HubEventIdsAsync(CancellationToken cancellationToken)
    {
        var punches = await HubApi.GetFromJsonAsync<JsonElement>($"/api/punches?site={SiteId}&limit=100000", cancellationToken);
        return punches.EnumerateArray().Select(p => p.GetProperty("eventId").GetString()!).ToList();
    }

    /// <summary>What the hub's <c>/api/gateways</c> says of this site's gateway (null before it heard of it).</summary>
    public async Task<JsonElement?> HubGatewayViewAsync(CancellationToken cancellationToken)
    {
        var gateways = await HubApi.GetFromJsonAsync<JsonElement>("/api/gateways", cancellationToken);
        foreach (var gateway in gateways.EnumerateArray())
        {
            if (gateway.GetProperty("siteId").GetString() == SiteId)
            {
                return gateway;
            }
        }

        return null;
    }

    /// <summary>The gateway's outbox backlog (<c>/api/uplink</c>).</summary>
    public async Task<long> GatewayBacklogAsync(CancellationToken cancellationToken) =>
        (await GatewayApi.GetFromJsonAsync<JsonElement>("/api/uplink", cancellationToken)).GetProperty("backlog").GetInt64();

    /// <summary>Waits until the hub holds every acked punch, then checks: all there, none twice.</summary>
    public async Task AssertHubHasExactlyAsync(IReadOnlyCollection<string> acked, CancellationToken cancellationToken)
    {
        List<string> atHub = [];
        try
        {
            await TestEnvironment.WaitUntilAsync(
                async () => (atHub = await HubEventIdsAsync(cancellationToken)).Count >= acked.Count && acked.All(new HashSet<string>(atHub).Contains),
                TimeSpan.FromSeconds(90),
                $"the hub to hold all {acked.Count} acked punches",
                cancellationToken);
        }
        catch (TimeoutException)
        {
            var missing = acked.Except(atHub).Take(10).ToList();
            Assert.Fail($"The hub has {atHub.Count} punches; {acked.Except(atHub).Count()} acked ones are missing, e.g. {string.Join(", ", missing)}.\nGateway log:\n{Gateway?.Output}\nHub log:\n{Hub?.Output}");
        }

        Assert.Equal(atHub.Count, atHub.Distinct().Count());
        Assert.Superset(acked.ToHashSet(), atHub.ToHashSet());
    }

    public async ValueTask DisposeAsync()
    {
        HubApi.Dispose();
        GatewayApi.Dispose();
        if (Gateway is not null)
        {
            await Gateway.DisposeAsync();
        }

        if (Hub is not null)
        {
            await Hub.DisposeAsync();
        }

        _folder.Dispose();
    }
}
