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
        var terminals = await site.AddTerminalsAsync(2, Token);
        await using var victim = terminals[0];
        await using var attacker = terminals[1];

        var refused = await attacker.PublishRawAsync(DeviceTopics.Punches(victim.Sn), "{}"u8.ToArray(), Token);
        var refusedAgain = await attacker.PublishRawAsync(DeviceTopics.Status(victim.Sn), "{}"u8.ToArray(), Token);

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, refused.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, refusedAgain.ReasonCode);
        JsonElement alert = default;
        await TestEnvironment.WaitUntilAsync(async () =>
        {
            var alerts = await site.HubApi.GetFromJsonAsync<JsonElement>("/api/alerts?type=TOPIC_VIOLATION", Token);
            alert = alerts.EnumerateArray().FirstOrDefault(a => a.GetProperty("client").GetString() == attacker.Sn);
            return alert.ValueKind == JsonValueKind.Object && alert.GetProperty("count").GetInt64() == 2;
        }, TimeSpan.FromSeconds(60), $"a TOPIC_VIOLATION alert of {attacker.Sn} with count 2 at the hub", Token);
        Assert.Equal(SiteUnderTest.SiteId, alert.GetProperty("site_id").GetString());
        Assert.Equal(DeviceTopics.Status(victim.Sn), alert.GetProperty("topic").GetString());
        Assert.Equal("open", alert.GetProperty("status").GetString());
    }
}
