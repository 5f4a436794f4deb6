using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;
using SiteHub.Hub.Alerts;
using SiteHub.Protocols;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.Uplink;
using SiteHub.Testing;

namespace SiteHub.Hub.Tests.Security;

/// <summary>
/// Topic violations become <c>TOPIC_VIOLATION</c> alerts: a gateway refused at the hub's broker
/// (real MQTT client, real embedded broker), and devices a gateway refused at its site broker, as
/// its status reports them over the uplink.
/// </summary>
public sealed class TopicViolationAlertTests
{
    private static readonly DateTimeOffset Morning = new(2026, 3, 2, 7, 30, 0, TimeSpan.FromHours(8));

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_gateway_using_another_sites_topics_raises_one_alert_updated_with_the_count()
    {
        var logs = new CapturedLogs();
        await using var hub = await InProcessHub.StartAsync(logs.Install, [], Token);
        var (gateway, _) = await hub.ConnectGatewayAsync("site-a", InProcessHub.GatewayPassword, Token);
        using var client = gateway;

        var publish = await gateway.PublishAsync(InProcessHub.BatchMessage("site-b", new PunchBatch("site-a", "x",
            [InProcessHub.MakePunch("site-b", "D1", 1, "W1", Direction.In, Morning)])), Token);
        var subscribe = await gateway.SubscribeAsync(UplinkTopics.Acks("site-b"), MqttQualityOfServiceLevel.AtLeastOnce, Token);

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, publish.ReasonCode);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, subscribe.Items.Single().ResultCode);
        var alert = await WaitForViolationAsync(hub, "gateway-site-a", 2);
        Assert.Equal("TOPIC_VIOLATION", alert.GetProperty("type").GetString());
        Assert.Equal("high", alert.GetProperty("severity").GetString());
        Assert.Equal("open", alert.GetProperty("status").GetString());
        Assert.Equal("site-a", alert.GetProperty("site_id").GetString());
        Assert.Equal(UplinkTopics.Acks("site-b"), alert.GetProperty("topic").GetString());
        Assert.Equal(JsonValueKind.Null, alert.GetProperty("project_id").ValueKind);
        Assert.Contains("tried to subscribe", alert.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(logs.Contains("Gateway site-a tried to publish sitehub/v1/sites/site-b/punches"), "the refusal is logged");
        Assert.Equal(0, hub.Store.Count);

        // More attempts update the same alert; a rebuild of the payroll rules does not resolve it.
        await gateway.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(UplinkTopics.Roster("site-a")).WithPayload("{}")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), Token);
        alert = await WaitForViolationAsync(hub, "gateway-site-a", 3);
        hub.App.Services.GetRequiredService<LiveReconciler>().Rebuild();
        var id = alert.GetProperty("id").GetInt64();
        var all = await hub.Api.GetFromJsonAsync<JsonElement>("/api/alerts?type=TOPIC_VIOLATION&status=open", Token);
        Assert.Equal(id, Assert.Single(all.EnumerateArray()).GetProperty("id").GetInt64());

        // The hub UI's alert list shows it with who was refused.
        var page = await hub.Api.GetStringAsync("/alerts?type=TOPIC_VIOLATION", Token);
        Assert.Contains("site-a · gateway-site-a · 3×", page, StringComparison.Ordinal);

        // Resolved by a user, then tried again: raised again on the same alert, with its history.
        using (var resolve = await hub.Api.PostAsJsonAsync($"/api/alerts/{id}/resolve", new { comment = "gateway re-flashed" }, Token))
        {
            Assert.Equal(HttpStatusCode.OK, resolve.StatusCode);
        }

        await gateway.SubscribeAsync("sitehub/v1/sites/#", MqttQualityOfServiceLevel.AtLeastOnce, Token);
        alert = await WaitForViolationAsync(hub, "gateway-site-a", 4);
        Assert.Equal("open", alert.GetProperty("status").GetString());
        var detail = await hub.Api.GetFromJsonAsync<JsonElement>($"/api/alerts/{id}", Token);
        var actions = detail.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("action").GetString()).ToList();
        Assert.Equal("raised", actions[0]);
        Assert.Equal(["resolved", "raised again"], actions[^2..]);
        Assert.Equal(4, detail.GetProperty("history").EnumerateArray().Last().GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task Devices_refused_at_a_gateway_raise_alerts_from_its_status_and_each_attempt_counts_once()
    {
        await using var hub = await InProcessHub.StartAsync(Token);
        var (gateway, _) = await hub.ConnectGatewayAsync("site-a", InProcessHub.GatewayPassword, Token);
        using var client = gateway;
        var firstRun = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero).AddTicks(1234567);

        await PublishStatusAsync(gateway, [new DeviceTopicViolation("ZK-1", 3, firstRun, "publish", "devices/ZK-2/punches")]);
        await PublishStatusAsync(gateway, [new DeviceTopicViolation("ZK-1", 3, firstRun, "publish", "devices/ZK-2/punches")]);
        var alert = await WaitForViolationAsync(hub, "ZK-1", 3);
        Assert.Equal("site-a", alert.GetProperty("site_id").GetString());
        Assert.Contains("Device ZK-1", alert.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // The same run's total grows; then the gateway restarts and counts from zero again.
        await PublishStatusAsync(gateway, [new DeviceTopicViolation("ZK-1", 5, firstRun, "subscribe", "devices/#")]);
        await WaitForViolationAsync(hub, "ZK-1", 5);
        await PublishStatusAsync(gateway, [new DeviceTopicViolation("ZK-1", 2, firstRun.AddHours(1), "subscribe", "devices/#")]);
        alert = await WaitForViolationAsync(hub, "ZK-1", 7);
        Assert.Equal("devices/#", alert.GetProperty("topic").GetString());

        // A status repeated after all that counts nothing more; one alert for the device throughout.
        await PublishStatusAsync(gateway, [new DeviceTopicViolation("ZK-1", 2, firstRun.AddHours(1), "subscribe", "devices/#")]);
        await PublishStatusAsync(gateway, [new DeviceTopicViolation("ZK-9", 1, firstRun.AddHours(1), "publish", "devices/ZK-1/cmd")]);
        await WaitForViolationAsync(hub, "ZK-9", 1);
        var all = await hub.Api.GetFromJsonAsync<JsonElement>("/api/alerts?type=topic_violation", Token);
        Assert.Equal([("ZK-1", 7L), ("ZK-9", 1L)], all.EnumerateArray().Select(a => (a.GetProperty("client").GetString(), a.GetProperty("count").GetInt64())).OrderBy(c => c.Item1).ToList());
    }

    [Fact]
    public async Task A_status_without_violations_from_an_older_gateway_is_still_read()
    {
        await using var hub = await InProcessHub.StartAsync(Token);
        var (gateway, _) = await hub.ConnectGatewayAsync("site-a", InProcessHub.GatewayPassword, Token);
        using var client = gateway;

        await gateway.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(UplinkTopics.Status("site-a"))
            .WithPayload("""{"siteId":"site-a","online":true,"backlog":77,"devicesOnline":1,"devicesOffline":0,"version":"old","at":"2026-03-02T07:30:00+08:00"}""")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), Token);

        await TestEnvironment.WaitUntilAsync(async () =>
        {
            var gateways = await hub.Api.GetFromJsonAsync<JsonElement>("/api/gateways", Token);
            return gateways.EnumerateArray().Any(g => g.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.Object && s.GetProperty("backlog").GetInt64() == 77);
        }, TimeSpan.FromSeconds(10), "the old gateway's status", Token);
        var alerts = await hub.Api.GetFromJsonAsync<JsonElement>("/api/alerts?type=TOPIC_VIOLATION", Token);
        Assert.Equal(0, alerts.GetArrayLength());
    }

    private static async Task PublishStatusAsync(IMqttClient gateway, IReadOnlyList<DeviceTopicViolation> violations)
    {
        var status = new GatewayStatus("site-a", true, 0, null, 1, 0, "test", DateTimeOffset.UtcNow, violations);
        var result = await gateway.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(UplinkTopics.Status("site-a"))
            .WithPayload(JsonSerializer.SerializeToUtf8Bytes(status, ProtocolsJsonContext.Default.GatewayStatus))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build(), Token);
        Assert.True(result.IsSuccess);
    }

    /// <summary>Waits for the <c>TOPIC_VIOLATION</c> alert of <paramref name="clientId"/> to reach <paramref name="count"/>; fails past it.</summary>
    private static async Task<JsonElement> WaitForViolationAsync(InProcessHub hub, string clientId, long count)
    {
        JsonElement found = default;
        await TestEnvironment.WaitUntilAsync(async () =>
        {
            var alerts = await hub.Api.GetFromJsonAsync<JsonElement>("/api/alerts?type=TOPIC_VIOLATION", Token);
            var mine = alerts.EnumerateArray().Where(a => a.GetProperty("client").GetString() == clientId).ToList();
            Assert.True(mine.Count <= 1, $"one alert per client, not {mine.Count}");
            if (mine.Count == 1)
            {
                found = mine[0].Clone();
                Assert.True(found.GetProperty("count").GetInt64() <= count, $"count {found.GetProperty("count")} passed {count}: attempts counted twice");
            }

            return mine.Count == 1 && found.GetProperty("count").GetInt64() == count;
        }, TimeSpan.FromSeconds(15), $"a TOPIC_VIOLATION alert of {clientId} with count {count}", Token);
        return found;
    }
}
