using System.Net.Http.Json;
using System.Text.Json;
using MQTTnet;
using SiteHub.Protocols;
using SiteHub.Testing;

namespace SiteHub.EndToEnd.Tests;

/// <summary>
/// A device refused at the gateway's site broker becomes a <c>TOPIC_VIOLATION</c> alert at the
/// hub, through the gateway's status on the uplink: real hub and gateway processes, a real MQTT
/// client as the device.
/// </summary>
public sealed class TopicViolationTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_device_using_another_devices_topic_raises_a_topic_violation_alert_at_the_hub()
    {
        await using var site = await SiteUnderTest.StartAsync(Token);
        const string victim = "E2E-VICTIM", attacker = "E2E-ATTACKER";
        foreach (var sn in new[] { victim, attacker })
        {
            await site.RegisterAsync(new { sn, secret = "secret-" + sn, gate = "gate-1", direction = "in" }, Token);
        }

        // A plain MQTT client as the device: one connection, nothing else connecting behind it.
        using var device = new MqttClientFactory().CreateMqttClient();
        var connected = await device.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", site.SiteBrokerPort)
            .WithClientId(attacker).WithCredentials(attacker, "secret-" + attacker).Build(), Token);
        Assert.Equal(MqttClientConnectResultCode.Success, connected.ResultCode);

        var refused = await device.PublishAsync(Message(DeviceTopics.Punches(victim)), Token);
        var refusedAgain = await device.PublishAsync(Message(DeviceTopics.Status(victim)), Token);

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, refused.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, refusedAgain.ReasonCode);
        JsonElement alert = default;
        await TestEnvironment.WaitUntilAsync(async () =>
        {
            var alerts = await site.HubApi.GetFromJsonAsync<JsonElement>("/api/alerts?type=TOPIC_VIOLATION", Token);
            alert = alerts.EnumerateArray().FirstOrDefault(a => a.GetProperty("client").GetString() == attacker);
            return alert.ValueKind == JsonValueKind.Object && alert.GetProperty("count").GetInt64() == 2;
        }, TimeSpan.FromSeconds(60), $"a TOPIC_VIOLATION alert of {attacker} with count 2 at the hub", Token);
        Assert.Equal(SiteUnderTest.SiteId, alert.GetProperty("site_id").GetString());
        Assert.Equal(DeviceTopics.Status(victim), alert.GetProperty("topic").GetString());
        Assert.Equal("open", alert.GetProperty("status").GetString());
    }

    private static MqttApplicationMessage Message(string topic) => new MqttApplicationMessageBuilder()
        .WithTopic(topic).WithPayload("{}"u8.ToArray()).WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build();
}
