using MQTTnet;

namespace SiteHub.Platform.Mqtt;

/// <summary>
/// Client options for reading from an external broker (mosquitto, EMQX) without losing anything:
/// a fixed client id and a session that never expires, so messages the client has not acked yet
/// are kept by the broker and redelivered after a reconnect or a restart. MQTT 3.1.1, which every
/// broker speaks.
/// </summary>
public static class PersistentSession
{
    public static MqttClientOptionsBuilder Options(string host, int port, string clientId, string? username, string? password)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId(clientId)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(uint.MaxValue)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311)
            .WithTimeout(TimeSpan.FromSeconds(10));
        return string.IsNullOrEmpty(username) ? builder : builder.WithCredentials(username, password);
    }
}
