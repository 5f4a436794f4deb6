using System.Net.Http.Json;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;
using SiteHub.Protocols;
using SiteHub.Protocols.Uplink;
using SiteHub.Testing;

namespace SiteHub.Gateway.Tests.Security;

/// <summary>
/// A device refused at the embedded site broker is reported to the hub in the gateway's status
/// (the hub raises <c>TOPIC_VIOLATION</c> from it). The uplink goes to a real MQTTnet broker the
/// test listens on, as the hub's broker would receive it.
/// </summary>
public sealed class DeviceTopicViolationTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_device_using_another_devices_topics_is_refused_logged_and_reported_in_the_status()
    {
        await using var hub = await HubStatusListener.StartAsync("site-a");
        var statuses = hub.Statuses;
        var logs = new CapturedLogs();
        await using var gateway = await InProcessGateway.StartAsync(logs.Install, Token, $"--Uplink:Port={hub.Port}", "--Uplink:StatusInterval=00:00:01");
        await using var victim = await gateway.AddTerminalAsync("T-1", Token);
        await using var attacker = await gateway.AddTerminalAsync("T-2", Token);

        var publish = await attacker.PublishRawAsync(DeviceTopics.Punches("T-1"), "{}"u8.ToArray(), Token);
        var command = await attacker.PublishRawAsync(DeviceTopics.Command("T-2"), "{}"u8.ToArray(), Token);
        using var spy = new MqttClientFactory().CreateMqttClient();
        await spy.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", gateway.BrokerPort).WithClientId("T-2-spy").WithCredentials("T-2", "secret-T-2").Build(), Token);
        var subscribe = await spy.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("devices/+/cmd").Build(), Token);

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, publish.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, command.ReasonCode);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, subscribe.Items.Single().ResultCode);
        Assert.True(logs.Contains("Refused a publish by T-2 to devices/T-1/punches"), "the refusal is logged");
        Assert.True(logs.Contains("Refused subscription of T-2 to devices/+/cmd"), "the refusal is logged");

        await TestEnvironment.WaitUntilAsync(
            () => statuses.Any(s => s.DeviceViolations is [{ Sn: "T-2", Count: 3, Action: "subscribe", Topic: "devices/+/cmd" }]),
            TimeSpan.FromSeconds(20), "a status reporting T-2's three refused attempts", Token);
        var outbox = await gateway.Api.GetFromJsonAsync<JsonElement>("/api/outbox", Token);
        var shown = Assert.Single(outbox.GetProperty("topicViolations").EnumerateArray());
        Assert.Equal(("T-2", 3), (shown.GetProperty("sn").GetString(), shown.GetProperty("count").GetInt32()));
        Assert.Equal(0, gateway.Outbox.PendingCount);
    }
}
