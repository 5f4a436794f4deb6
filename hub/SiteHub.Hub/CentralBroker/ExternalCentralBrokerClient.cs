using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using SiteHub.Hub.Configuration;
using SiteHub.Hub.Ingest;
using SiteHub.Platform.Mqtt;
using SiteHub.Protocols;
using SiteHub.Protocols.Uplink;

namespace SiteHub.Hub.CentralBroker;

/// <summary>
/// The hub as a client of an external central broker (mosquitto, EMQX): a persistent session
/// subscribed at QoS 1 to its sites' punches and statuses (<c>CentralBroker:Sites</c>, or every
/// site), acking each message to the broker only after its commit, then publishing the
/// <see cref="BatchAck"/>. Gateway logins and topic ACLs are the broker's job there (the mosquitto
/// ACL file in the deployment). Several hubs may share the broker: each takes only its sites.
/// </summary>
/// <remarks>A failed commit drops the link so the broker redelivers the unacked messages.</remarks>
public sealed partial class ExternalCentralBrokerClient : IHostedService, IAsyncDisposable, ICentralBrokerPublisher
{
    private readonly CentralBrokerOptions _options;
    private readonly UplinkIngest _ingest;
    private readonly ILogger<ExternalCentralBrokerClient> _logger;
    private readonly MqttConnectionSupervisor _supervisor;

    public ExternalCentralBrokerClient(IOptions<CentralBrokerOptions> options, UplinkIngest ingest, ILogger<ExternalCentralBrokerClient> logger)
    {
        _options = options.Value;
        _ingest = ingest;
        _logger = logger;
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _supervisor = new MqttConnectionSupervisor("central-broker", client, BuildOptions, SubscribeAsync, logger);
    }

    /// <summary>The link, for health.</summary>
    public MqttConnectionSupervisor Link => _supervisor;

    private MqttClientOptions BuildOptions() =>
        PersistentSession.Options(_options.Host!, _options.TlsPort != 0 ? _options.TlsPort : _options.Port, "sitehub-hub-" + (_options.Username ?? "default"), _options.Username, _options.Password)
            .WithSiteHubTls(_options.TlsPort != 0, _options.CaCertificatePath)
            .Build();

    private async Task SubscribeAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        var sites = _options.Sites.Count > 0 ? _options.Sites : ["+"];
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var site in sites)
        {
            subscribe = subscribe
                .WithTopicFilter(UplinkTopics.Punches(site), MqttQualityOfServiceLevel.AtLeastOnce)
                .WithTopicFilter(UplinkTopics.Status(site), MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await client.SubscribeAsync(subscribe.Build(), cancellationToken);
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        args.AutoAcknowledge = false;
        var topic = args.ApplicationMessage.Topic;
        if (!UplinkTopics.TryParse(topic, out var site, out var kind))
        {
            LogIgnored(topic);
            return args.AcknowledgeAsync(CancellationToken.None);
        }

        _ = CommitThenAckAsync(args, site, kind, args.ApplicationMessage.Payload.ToArray());
        return Task.CompletedTask;
    }

    private async Task CommitThenAckAsync(MqttApplicationMessageReceivedEventArgs args, string site, UplinkTopicKind kind, byte[] payload)
    {
        try
        {
            var ack = await _ingest.HandleAsync(site, kind, payload, CancellationToken.None);
            await args.AcknowledgeAsync(CancellationToken.None);
            if (ack is not null)
            {
                await _supervisor.Client.PublishAsync(new MqttApplicationMessageBuilder()
                    .WithTopic(UplinkTopics.Acks(site))
                    .WithPayload(JsonSerializer.SerializeToUtf8Bytes(ack, ProtocolsJsonContext.Default.BatchAck))
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build());
            }
        }
        catch (Exception ex)
        {
            LogCommitFailed(ex, site);
            try
            {
                await _supervisor.Client.DisconnectAsync();
            }
            catch (Exception disconnectError)
            {
                _logger.LogDebug(disconnectError, "Disconnect after a failed commit failed");
            }
        }
    }

    /// <summary>Publishes a message of the hub's own (rosters) through the link.</summary>
    public async Task PublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        if (_supervisor.State != MqttLinkState.Connected)
        {
            throw new InvalidOperationException("the central broker is not connected");
        }

        await _supervisor.Client.PublishAsync(message, cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _supervisor.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await _supervisor.DisposeAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a message on {Topic}: not an uplink topic")]
    private partial void LogIgnored(string topic);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not commit a message of site {SiteId}; dropping the link so the broker redelivers")]
    private partial void LogCommitFailed(Exception ex, string siteId);
}
