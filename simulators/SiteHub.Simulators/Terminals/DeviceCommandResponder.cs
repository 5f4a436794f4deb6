using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;
using SiteHub.Protocols;
using SiteHub.Protocols.Devices;

namespace SiteHub.Simulators.Terminals;

/// <summary>
/// What a simulated MQTT device does with <c>devices/{sn}/cmd</c>: carries the command out on its
/// own state (enrolled people, clock) and replies on <c>devices/{sn}/cmd/reply</c>.
/// </summary>
public sealed class DeviceCommandResponder
{
    private readonly string _sn;

    public DeviceCommandResponder(string sn, IMqttClient client)
    {
        _sn = sn;
        client.ApplicationMessageReceivedAsync += args =>
        {
            if (args.ApplicationMessage.Topic != DeviceTopics.Command(_sn))
            {
                return Task.CompletedTask;
            }

            var reply = Execute(args.ApplicationMessage.Payload.ToArray());

            // Not awaited here: a QoS 1 publish waits for its PUBACK, which the client's receive loop,
            // busy in this handler, would never read.
            _ = Task.Run(() => client.PublishAsync(
                new MqttApplicationMessageBuilder().WithTopic(DeviceTopics.CommandReply(_sn))
                    .WithPayload(JsonSerializer.SerializeToUtf8Bytes(reply, ProtocolsJsonContext.Default.DeviceCommandReply))
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()));
            return Task.CompletedTask;
        };
    }

    /// <summary>People enrolled: person id → name.</summary>
    public ConcurrentDictionary<string, string> Enrolled { get; } = new(StringComparer.Ordinal);

    /// <summary>Commands carried out, as their op.</summary>
    public ConcurrentQueue<string> Executed { get; } = new();

    /// <summary>Raised for sync-time (the device resets its clock skew).</summary>
    public event Action? ClockSynced;

    /// <summary>Subscribes to the device's command topic (after each connect: clean sessions forget it).</summary>
    public static Task SubscribeAsync(IMqttClient client, string sn, CancellationToken cancellationToken) =>
        client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(DeviceTopics.Command(sn), MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken);

    private DeviceCommandReply Execute(byte[] payload)
    {
        DeviceCommand? command;
        try
        {
            command = JsonSerializer.Deserialize(payload, ProtocolsJsonContext.Default.DeviceCommand);
        }
        catch (JsonException ex)
        {
            return new DeviceCommandReply("", false, "unreadable command: " + ex.Message);
        }

        if (command is null)
        {
            return new DeviceCommandReply("", false, "empty command");
        }

        Executed.Enqueue(command.Op);
        var args = command.Args ?? new Dictionary<string, string>();
        switch (command.Op)
        {
            case "upsert-person" when args.TryGetValue("person", out var person):
                Enrolled[person] = args.GetValueOrDefault("name") ?? "";
                return new DeviceCommandReply(command.Id, true);
            case "delete-person" when args.TryGetValue("person", out var person):
                Enrolled.TryRemove(person, out _);
                return new DeviceCommandReply(command.Id, true);
            case "sync-time":
                ClockSynced?.Invoke();
                return new DeviceCommandReply(command.Id, true);
            case "open" or "reboot":
                return new DeviceCommandReply(command.Id, true);
            default:
                return new DeviceCommandReply(command.Id, false, $"unsupported op '{command.Op}'");
        }
    }
}
