using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;
using SiteHub.Hub.Ingest;
using SiteHub.Protocols;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.Uplink;
using SiteHub.Testing;

namespace SiteHub.Hub.Tests;

/// <summary>A real hub (embedded central broker, LiteDB in a temp folder) in the test process.</summary>
public sealed class InProcessHub : IAsyncDisposable
{
    public const string AdminPassword = "test-admin-pw";
    public const string GatewayPassword = "gateway-pw-a";
    private readonly TempFolder _folder;

    private InProcessHub(WebApplication app, TempFolder folder, int httpPort, int brokerPort)
    {
        App = app;
        _folder = folder;
        BrokerPort = brokerPort;
        Api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + AdminPassword)));
    }

    public WebApplication App { get; }

    /// <summary>The hub's data folder.</summary>
    public string DataPath => _folder.Path;

    public int BrokerPort { get; }

    public HttpClient Api { get; }

    public PunchStore Store => App.Services.GetRequiredService<PunchStore>();

    public static Task<InProcessHub> StartAsync(CancellationToken cancellationToken, params string[] extraArgs) =>
        StartAsync(null, extraArgs, cancellationToken);

    /// <summary>Starts a hub; <paramref name="configureServices"/> replaces services (a fake <see cref="TimeProvider"/>).</summary>
    public static async Task<InProcessHub> StartAsync(Action<IServiceCollection>? configureServices, string[] extraArgs, CancellationToken cancellationToken)
    {
        var folder = new TempFolder("hub");
        var httpPort = TestEnvironment.FreePort();
        var brokerPort = TestEnvironment.FreePort();
        WebApplication? app = null;
        try
        {
            app = HubApp.Build(
            [
                "--urls", $"http://127.0.0.1:{httpPort}",
                $"--Hub:DataPath={folder.Path}",
                $"--CentralBroker:Port={brokerPort}",
                $"--Admin:Password={AdminPassword}",
                $"--Gateways:site-a:Password={GatewayPassword}",
                "--Gateways:site-b:Password=gateway-pw-b",
                "--Serilog:MinimumLevel:Default=Warning",
                .. extraArgs,
            ], configureServices);
            await app.StartAsync(cancellationToken);
            return new InProcessHub(app, folder, httpPort, brokerPort);
        }
        catch
        {
            // A hub that does not start (bad settings) leaves no files behind.
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            folder.Dispose();
            throw;
        }
    }

    /// <summary>An MQTT client logged in as a gateway (not connected if the broker refuses).</summary>
    public async Task<(IMqttClient Client, MqttClientConnectResultCode Result)> ConnectGatewayAsync(string siteId, string password, CancellationToken cancellationToken)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(
            new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", BrokerPort).WithClientId("gateway-" + siteId).WithCredentials(siteId, password).Build(),
            cancellationToken);
        return (client, result.ResultCode);
    }

    /// <summary>Subscribes <paramref name="gateway"/> to its site's acks; they arrive in the returned queue.</summary>
    public static async Task<ConcurrentQueue<BatchAck>> CollectAcksAsync(IMqttClient gateway, string siteId, CancellationToken cancellationToken)
    {
        var acks = new ConcurrentQueue<BatchAck>();
        gateway.ApplicationMessageReceivedAsync += e =>
        {
            acks.Enqueue(JsonSerializer.Deserialize(e.ApplicationMessage.Payload.First.Span, ProtocolsJsonContext.Default.BatchAck)!);
            return Task.CompletedTask;
        };
        await gateway.SubscribeAsync(UplinkTopics.Acks(siteId), MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken);
        return acks;
    }

    public static Punch MakePunch(string siteId, string sn, long seq, string person, Direction direction, DateTimeOffset at) =>
        new DevicePunch(sn, seq, person, at, direction, VerifyMode.Face).ToPunch(siteId, "gate-1", direction, at, "sitehub-v1");

    public static byte[] Encode(PunchBatch batch) => JsonSerializer.SerializeToUtf8Bytes(batch, ProtocolsJsonContext.Default.PunchBatch);

    public static MqttApplicationMessage BatchMessage(string topicSite, PunchBatch batch) =>
        new MqttApplicationMessageBuilder().WithTopic(UplinkTopics.Punches(topicSite)).WithPayload(Encode(batch))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        _folder.Dispose();
    }
}
