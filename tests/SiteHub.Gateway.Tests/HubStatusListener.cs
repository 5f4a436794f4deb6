using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using MQTTnet.Server;
using SiteHub.Protocols;
using SiteHub.Protocols.Uplink;
using SiteHub.Testing;

namespace SiteHub.Gateway.Tests;

/// <summary>
/// A bare MQTTnet broker in the hub's place, on a free loopback port, keeping every status a
/// gateway of <c>siteId</c> publishes on its uplink — as the hub's broker would receive them.
/// </summary>
internal sealed class HubStatusListener : IAsyncDisposable
{
    private readonly MqttServer _broker;

    private HubStatusListener(MqttServer broker, int port)
    {
        _broker = broker;
        Port = port;
    }

    /// <summary>The port to give the gateway as <c>Uplink:Port</c>.</summary>
    public int Port { get; }

    /// <summary>The statuses received, oldest first.</summary>
    public ConcurrentQueue<GatewayStatus> Statuses { get; } = new();

    public static async Task<HubStatusListener> StartAsync(string siteId)
    {
        var port = TestEnvironment.FreePort();
        var broker = new MqttServerFactory().CreateMqttServer(new MqttServerOptionsBuilder()
            .WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(IPAddress.Loopback).WithDefaultEndpointPort(port).Build());
        var listener = new HubStatusListener(broker, port);
        broker.InterceptingPublishAsync += args =>
        {
            if (args.ApplicationMessage.Topic == UplinkTopics.Status(siteId))
            {
                listener.Statuses.Enqueue(JsonSerializer.Deserialize(args.ApplicationMessage.Payload.ToArray(), ProtocolsJsonContext.Default.GatewayStatus)!);
            }

            return Task.CompletedTask;
        };
        await broker.StartAsync();
        return listener;
    }

    public async ValueTask DisposeAsync()
    {
        await _broker.StopAsync();
        _broker.Dispose();
    }
}
