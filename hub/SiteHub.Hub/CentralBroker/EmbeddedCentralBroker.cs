using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;
using SiteHub.Hub.Alerts;
using SiteHub.Hub.Configuration;
using SiteHub.Hub.Gateways;
using SiteHub.Hub.Ingest;
using SiteHub.Protocols;
using SiteHub.Protocols.Uplink;

namespace SiteHub.Hub.CentralBroker;

/// <summary>
/// The central broker embedded in the hub (MQTTnet server). A gateway logs in with its site id and
/// the password in <c>Gateways:{siteId}:Password</c>, and may only use its own
/// <c>sitehub/v1/sites/{siteId}/</c> topics. A punch batch is stored inside MQTTnet's publish
/// intercept, so the gateway's PUBACK follows the hub's commit; the <see cref="BatchAck"/> is then
/// published on the site's acks topic, to the gateway's persistent session.
/// </summary>
/// <remarks>
/// A topic violation is refused, logged, counted and raised as a <c>TOPIC_VIOLATION</c> alert.
/// A failed commit closes the gateway's connection without a PUBACK or an ack: it resends.
/// </remarks>
public sealed partial class EmbeddedCentralBroker(
    IOptions<CentralBrokerOptions> options,
    IOptions<GatewaysOptions> gatewayCredentials,
    UplinkIngest ingest,
    GatewayDirectory gateways,
    TopicViolations violations,
    ILogger<EmbeddedCentralBroker> logger) : IHostedService, IAsyncDisposable, ICentralBrokerPublisher
{
    private const string SiteItem = "site";
    private readonly ConcurrentDictionary<string, string> _siteByClient = new(StringComparer.Ordinal);
    private MqttServer? _server;

    /// <summary>Refused logins and topic violations since start (security monitoring).</summary>
    public long Violations => Interlocked.Read(ref _violations);

    private long _violations;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var builder = new MqttServerOptionsBuilder()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Parse(settings.BindAddress))
            .WithDefaultEndpointPort(settings.Port)
            .WithPersistentSessions();
        builder = settings.Port == 0 ? builder.WithoutDefaultEndpoint() : builder.WithDefaultEndpoint();
        if (settings.TlsPort != 0)
        {
            // Through PKCS#12: SslStream on Linux wants the key attached, not an ephemeral PEM import.
            using var pem = X509Certificate2.CreateFromPemFile(settings.TlsCertificatePath!, settings.TlsKeyPath);
            builder = builder.WithEncryptedEndpoint()
                .WithEncryptedEndpointBoundIPAddress(IPAddress.Parse(settings.BindAddress))
                .WithEncryptedEndpointPort(settings.TlsPort)
                .WithEncryptionCertificate(X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null));
        }

        var serverOptions = builder.Build();
        _server = new MqttServerFactory().CreateMqttServer(serverOptions);
        _server.ValidatingConnectionAsync += ValidateConnectionAsync;
        _server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        _server.InterceptingPublishAsync += InterceptPublishAsync;
        _server.ClientConnectedAsync += args =>
        {
            if (_siteByClient.TryGetValue(args.ClientId, out var site))
            {
                gateways.SetConnected(site, true);
            }

            return Task.CompletedTask;
        };
        _server.ClientDisconnectedAsync += args =>
        {
            if (args.DisconnectType != MqttClientDisconnectType.Takeover && _siteByClient.TryRemove(args.ClientId, out var site))
            {
                gateways.SetConnected(site, false);
            }

            return Task.CompletedTask;
        };
        await _server.StartAsync();
        LogStarted(settings.BindAddress, settings.Port, settings.TlsPort);
    }

    private Task ValidateConnectionAsync(ValidatingConnectionEventArgs args)
    {
        var site = args.UserName ?? "";
        var remote = args.RemoteEndPoint?.ToString();
        if (!gatewayCredentials.Value.Sites.TryGetValue(site, out var credential)
            || !FixedTimeEquals(args.Password ?? "", credential.Password))
        {
            args.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
            Interlocked.Increment(ref _violations);
            LogRefusedLogin(site, remote);
            return Task.CompletedTask;
        }

        args.SessionItems[SiteItem] = site;
        _siteByClient[args.ClientId] = site;
        args.ReasonCode = MqttConnectReasonCode.Success;
        return Task.CompletedTask;
    }

    private Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs args)
    {
        var site = args.SessionItems[SiteItem] as string;
        if (site is null || !UplinkTopics.IsOwnedBy(args.TopicFilter.Topic, site))
        {
            args.ProcessSubscription = false;
            args.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            Interlocked.Increment(ref _violations);
            LogTopicViolation(site ?? args.ClientId, "subscribe", args.TopicFilter.Topic);
            violations.ReportGateway(site ?? "(none)", args.ClientId, "subscribe", args.TopicFilter.Topic);
        }

        return Task.CompletedTask;
    }

    private async Task InterceptPublishAsync(InterceptingPublishEventArgs args)
    {
        if (string.IsNullOrEmpty(args.ClientId) || args.SessionItems[SiteItem] is not string site)
        {
            return; // the hub's own messages (acks)
        }

        var topic = args.ApplicationMessage.Topic;
        if (!UplinkTopics.TryParse(topic, out var topicSite, out var kind) || topicSite != site
            || kind is UplinkTopicKind.Acks or UplinkTopicKind.Roster)
        {
            args.ProcessPublish = false;
            args.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            Interlocked.Increment(ref _violations);
            LogTopicViolation(site, "publish", topic);
            violations.ReportGateway(site, args.ClientId, "publish", topic);
            return;
        }

        // Punches are consumed here; statuses are routed on too (retained, for anyone watching).
        args.ProcessPublish = kind != UplinkTopicKind.Punches;
        if (kind == UplinkTopicKind.Punches)
        {
            // Decoded now, from MQTTnet's buffer, which is this message's only until we return.
            // MQTTnet runs this intercept one message at a time per connection, and a gateway has
            // one connection: awaiting the commit here would give each batch an fsync of its own.
            // The gateway counts a batch delivered on its BatchAck, not on the PUBACK, so the
            // commit runs on, grouped with the gateway's other batches in flight, and the BatchAck
            // goes out after it.
            if (ingest.DecodePunches(site, args.ApplicationMessage.Payload) is { } batch)
            {
                _ = CommitThenAckAsync(args.ClientId, site, batch);
            }

            return;
        }

        try
        {
            await ingest.HandleAsync(site, kind, args.ApplicationMessage.Payload.ToArray(), args.CancellationToken);
        }
        catch (Exception ex)
        {
            args.ProcessPublish = false;
            LogCommitFailed(ex, site);
        }
    }

    private async Task CommitThenAckAsync(string clientId, string site, PunchBatch batch)
    {
        try
        {
            var ack = await ingest.StorePunchesAsync(site, batch, CancellationToken.None);
            await _server!.InjectApplicationMessage(
                new InjectedMqttApplicationMessage(new MqttApplicationMessageBuilder()
                    .WithTopic(UplinkTopics.Acks(site))
                    .WithPayload(JsonSerializer.SerializeToUtf8Bytes(ack, ProtocolsJsonContext.Default.BatchAck))
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build()));
        }
        catch (Exception ex)
        {
            // Nothing acked: closing the link makes the gateway resend everything in flight at once.
            LogCommitFailed(ex, site);
            await DisconnectAsync(clientId);
        }
    }

    private async Task DisconnectAsync(string clientId)
    {
        try
        {
            foreach (var client in await _server!.GetClientsAsync())
            {
                if (client.Id == clientId)
                {
                    await client.DisconnectAsync(new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.UnspecifiedError });
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogDebug(ex, "Could not disconnect {ClientId} after a failed commit", clientId);
        }
    }

    /// <summary>Injects a message of the hub's own (rosters) into the broker.</summary>
    public async Task PublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        if (_server is null)
        {
            throw new InvalidOperationException("the central broker has not started yet");
        }

        await _server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message), cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            await _server.StopAsync();
        }
    }

    public ValueTask DisposeAsync()
    {
        _server?.Dispose();
        return ValueTask.CompletedTask;
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));

    [LoggerMessage(Level = LogLevel.Information, Message = "Central broker listening on {Address}, port {Port}, TLS port {TlsPort} (0: off)")]
    private partial void LogStarted(string address, int port, int tlsPort);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused gateway login '{SiteId}' from {Remote}: unknown site or wrong password")]
    private partial void LogRefusedLogin(string siteId, string? remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway {SiteId} tried to {Action} {Topic}: not its own site's topic; refused")]
    private partial void LogTopicViolation(string siteId, string action, string topic);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not commit a batch of gateway {SiteId}; closing its connection so it resends")]
    private partial void LogCommitFailed(Exception ex, string siteId);
}
