using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Protocol;
using MQTTnet.Server;
using SiteHub.Gateway.Configuration;
using SiteHub.Gateway.Devices;
using SiteHub.Gateway.Ingest;
using SiteHub.Protocols;
using SiteHub.Protocols.Punches;

namespace SiteHub.Gateway.SiteBroker;

/// <summary>
/// The site broker embedded in the gateway (MQTTnet server). Devices log in with their serial as
/// user name and their secret as password; unknown serials are refused and listed as pending.
/// A device may only publish and subscribe under its own <c>devices/{sn}/</c>. A publish is
/// handled inside MQTTnet's intercept, which MQTTnet awaits before it sends the PUBACK: so the
/// device's PUBACK goes out only after the punch's commit reached the disk.
/// </summary>
/// <remarks>
/// If the commit fails (disk full or read-only) the connection is closed without a PUBACK; the
/// device keeps the record in its cache and resends after reconnecting.
/// </remarks>
public sealed partial class EmbeddedSiteBroker(
    IOptions<SiteBrokerOptions> options,
    DeviceRegistry registry,
    DeviceIngest ingest,
    IngestCounters counters,
    ILogger<EmbeddedSiteBroker> logger) : IHostedService, IAsyncDisposable
{
    private const string SerialItem = "sn";
    private readonly ConcurrentDictionary<string, string> _serialByClient = new(StringComparer.Ordinal);
    private MqttServer? _server;

    /// <summary>The running server, for injecting commands to devices.</summary>
    public MqttServer? Server => _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var serverOptions = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Parse(settings.BindAddress))
            .WithDefaultEndpointPort(settings.Port)
            .WithPersistentSessions()
            .Build();
        _server = new MqttServerFactory().CreateMqttServer(serverOptions);
        _server.ValidatingConnectionAsync += ValidateConnectionAsync;
        _server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        _server.InterceptingPublishAsync += InterceptPublishAsync;
        _server.ClientConnectedAsync += OnClientConnectedAsync;
        _server.ClientDisconnectedAsync += OnClientDisconnectedAsync;
        await _server.StartAsync();
        LogStarted(settings.BindAddress, settings.Port);
    }

    private Task ValidateConnectionAsync(ValidatingConnectionEventArgs args)
    {
        var sn = args.UserName;
        var remote = args.RemoteEndPoint?.ToString();
        if (!TopicSafeId.IsValid(sn))
        {
            args.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
            LogRefusedLogin(sn ?? "(none)", remote, "the user name must be the device serial");
            return Task.CompletedTask;
        }

        // The client id must name the device too, or a device could take over another's session.
        if (!args.ClientId.StartsWith(sn!, StringComparison.Ordinal))
        {
            args.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
            LogRefusedLogin(sn!, remote, $"client id '{args.ClientId}' does not start with the serial");
            return Task.CompletedTask;
        }

        var result = registry.CheckLogin(sn!, args.Password, remote);
        switch (result)
        {
            case DeviceLoginResult.Accepted:
                args.ReasonCode = MqttConnectReasonCode.Success;
                args.SessionItems[SerialItem] = sn!;
                _serialByClient[args.ClientId] = sn!;
                break;
            case DeviceLoginResult.UnknownDevice:
                args.ReasonCode = MqttConnectReasonCode.NotAuthorized;
                LogRefusedLogin(sn!, remote, "unknown device, listed as pending for the site admin");
                break;
            case DeviceLoginResult.Throttled:
                args.ReasonCode = MqttConnectReasonCode.Banned;
                LogRefusedLogin(sn!, remote, "too many failed logins; try again in a minute");
                break;
            default:
                args.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
                LogRefusedLogin(sn!, remote, "wrong secret");
                break;
        }

        return Task.CompletedTask;
    }

    private Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs args)
    {
        var sn = args.SessionItems[SerialItem] as string;
        var filter = args.TopicFilter.Topic;
        if (sn is null || !DeviceTopics.IsOwnedBy(filter, sn))
        {
            args.ProcessSubscription = false;
            args.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            counters.AddRefused(sn ?? args.ClientId, "subscribe", filter);
            LogRefusedSubscription(sn ?? args.ClientId, filter);
        }

        return Task.CompletedTask;
    }

    private async Task InterceptPublishAsync(InterceptingPublishEventArgs args)
    {
        // Messages the gateway injects itself (commands to devices) have no device session.
        if (string.IsNullOrEmpty(args.ClientId) || args.SessionItems[SerialItem] is not string sn)
        {
            return;
        }

        args.ProcessPublish = false;
        var message = args.ApplicationMessage;
        try
        {
            var outcome = await ingest.HandleMqttAsync(sn, message.Topic, message.Payload.IsSingleSegment ? message.Payload.First : message.Payload.ToArray(), args.CancellationToken);
            if (outcome == IngestOutcome.Refused)
            {
                args.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            }
        }
        catch (Exception ex)
        {
            // Nothing was committed: no PUBACK. Closing makes the device resend from its cache.
            args.CloseConnection = true;
            LogCommitFailed(ex, sn);
        }
    }

    private Task OnClientConnectedAsync(ClientConnectedEventArgs args)
    {
        if (_serialByClient.TryGetValue(args.ClientId, out var sn))
        {
            registry.SetOnline(sn, true);
        }

        return Task.CompletedTask;
    }

    private Task OnClientDisconnectedAsync(ClientDisconnectedEventArgs args)
    {
        if (args.DisconnectType != MqttClientDisconnectType.Takeover && _serialByClient.TryRemove(args.ClientId, out var sn))
        {
            registry.SetOnline(sn, false);
        }

        return Task.CompletedTask;
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Site broker listening on {Address}:{Port}")]
    private partial void LogStarted(string address, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused device login {DeviceSn} from {Remote}: {Reason}")]
    private partial void LogRefusedLogin(string deviceSn, string? remote, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused subscription of {DeviceSn} to {Filter}: not its own topic")]
    private partial void LogRefusedSubscription(string deviceSn, string filter);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not commit a message of {DeviceSn}; closing its connection so it resends")]
    private partial void LogCommitFailed(Exception ex, string deviceSn);
}
