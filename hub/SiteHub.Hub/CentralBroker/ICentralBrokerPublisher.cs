using MQTTnet;

namespace SiteHub.Hub.CentralBroker;

/// <summary>How the hub itself publishes to gateways (rosters), whichever broker it uses.</summary>
public interface ICentralBrokerPublisher
{
    /// <summary>Publishes a message; throws when the broker cannot take it now.</summary>
    Task PublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken);
}
