using System.Buffers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using SiteHub.Gateway.Configuration;
using SiteHub.Gateway.Ingest;
using SiteHub.Platform.Mqtt;
using SiteHub.Protocols;

namespace SiteHub.Gateway.SiteBroker;

/// <summary>
/// The gateway as a client of an existing site broker (e.g. mosquitto): a persistent session,
/// QoS 1 subscriptions to every device's topics, and manual acknowledgement: each PUBACK to the
/// broker is sent only after the message's commit is on disk. Until then the broker keeps the
/// message, and redelivers it if the gateway dies, because the session outlives the connection.
/// </summary>
/// <remarks>
/// The handler returns before the commit so that messages of many devices arrive in parallel and
/// share a group commit. If a commit fails the link is dropped, so the broker redelivers.
/// Authentication and topic ACLs of devices are the external broker's job there (see the
/// mosquitto ACL shipped with the deployment); unknown serials are quarantined here.
/// </remarks>
public sealed partial class ExternalSiteBrokerClient : IHostedService, IAsyncDisposable
{
    private readonly SiteBrokerOptions _options;
    private readonly DeviceIngest _ingest;
    private readonly ILogger<ExternalSiteBrokerClient> _logger;
    private readonly MqttConnectionSupervisor _supervisor;

    public ExternalSiteBrokerClient(IOptions<SiteBrokerOptions> options, IOptions<GatewayOptions> gateway, DeviceIngest ingest, ILogger<ExternalSiteBrokerClient> logger)
    {
        _options = options.Value;
        _ingest = ingest;
        _logger = logger;
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += OnMessageAsync;
        var clientId = "sitehub-gateway-" + gateway.Value.SiteId;
        _supervisor = new MqttConnectionSupervisor("site-broker", client, () => BuildOptions(clientId), SubscribeAsync, logger);
    }

    /// <summary>The link's state, for health.</summary>
    public MqttConnectionSupervisor Link => _supervisor;

    private MqttClientOptions BuildOptions(string clientId) =>
        PersistentSession.Options(_options.Host!, _options.Port, clientId, _options.Username, _options.Password).Build();

    private static async Task SubscribeAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        var subscribe = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("devices/+/punches", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("devices/+/status", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("devices/+/cmd/reply", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("devices/+/events", MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        await client.SubscribeAsync(subscribe, cancellationToken);
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        args.AutoAcknowledge = false;
        var message = args.ApplicationMessage;
        if (!DeviceTopics.TryParse(message.Topic, out var sn, out _))
        {
            LogIgnored(message.Topic);
            return args.AcknowledgeAsync(CancellationToken.None);
        }

        var payload = message.Payload.ToArray();
        _ = CommitThenAckAsync(args, sn, message.Topic, payload);
        return Task.CompletedTask;
    }

    private async Task CommitThenAckAsync(MqttApplicationMessageReceivedEventArgs args, string sn, string topic, byte[] payload)
    {
        try
        {
            await _ingest.HandleMqttAsync(sn, topic, payload, CancellationToken.None);
            await args.AcknowledgeAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogCommitFailed(ex, sn);
            try
            {
                // Unacked messages are redelivered when the persistent session resumes.
                await _supervisor.Client.DisconnectAsync();
            }
            catch (Exception disconnectError)
            {
                _logger.LogDebug(disconnectError, "Disconnect after a failed commit failed");
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _supervisor.Start();
        LogStarted(_options.Host!, _options.Port);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await _supervisor.DisposeAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Reading devices from the external site broker {Host}:{Port}")]
    private partial void LogStarted(string host, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a message on {Topic}: not a device topic")]
    private partial void LogIgnored(string topic);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not commit a message of {DeviceSn}; dropping the link so the broker redelivers")]
    private partial void LogCommitFailed(Exception ex, string deviceSn);
}
