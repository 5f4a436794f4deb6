using System.Net.Http.Json;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;
using SiteHub.Protocols;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.Uplink;
using SiteHub.Testing;

namespace SiteHub.Hub.Tests;

/// <summary>Gateways talking to the hub's embedded central broker with real MQTT clients.</summary>
public sealed class CentralBrokerTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;
    private static readonly DateTimeOffset Morning = new(2026, 3, 2, 7, 30, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task A_batch_is_acked_after_storage_and_a_resend_counts_as_duplicates()
    {
        await using var hub = await InProcessHub.StartAsync(Token);
        var (gateway, result) = await hub.ConnectGatewayAsync("site-a", InProcessHub.GatewayPassword, Token);
        using var _ = gateway;
        Assert.Equal(MqttClientConnectResultCode.Success, result);
        var acks = await InProcessHub.CollectAcksAsync(gateway, "site-a", Token);
        var recently = DateTimeOffset.UtcNow.AddHours(-1).ToOffset(TimeSpan.FromHours(8));
        var punches = Enumerable.Range(1, 20).Select(i => InProcessHub.MakePunch("site-a", "D1", i, $"W{i}", Direction.In, recently.AddMinutes(i))).ToList();

        await gateway.PublishAsync(InProcessHub.BatchMessage("site-a", new PunchBatch("site-a", "b1", punches)), Token);
        await gateway.PublishAsync(InProcessHub.BatchMessage("site-a", new PunchBatch("site-a", "b2", punches)), Token);

        await TestEnvironment.WaitUntilAsync(() => acks.Count == 2, TimeSpan.FromSeconds(10), "two acks", Token);
        Assert.Equal(("b1", 20, 0, 0), (acks.First().BatchId, acks.First().Accepted, acks.First().Duplicates, acks.First().Rejected.Count));
        Assert.Equal(20, acks.Last().Duplicates);
        Assert.Equal(0, acks.Last().Accepted);
        Assert.Equal(20, hub.Store.Count);
        var headcount = await hub.Api.GetFromJsonAsync<JsonElement>("/api/sites/site-a/headcount", Token);
        Assert.Equal(20, headcount.GetProperty("onSite").GetInt32());
    }

    [Fact]
    public async Task Punches_claiming_another_site_are_rejected_with_the_reason()
    {
        await using var hub = await InProcessHub.StartAsync(Token);
        var (gateway, _) = await hub.ConnectGatewayAsync("site-a", InProcessHub.GatewayPassword, Token);
        using var client = gateway;
        var acks = await InProcessHub.CollectAcksAsync(gateway, "site-a", Token);

        await gateway.PublishAsync(InProcessHub.BatchMessage("site-a", new PunchBatch("site-a", "b1",
        [
            InProcessHub.MakePunch("site-b", "D9", 1, "W1", Direction.In, Morning),
            InProcessHub.MakePunch("site-a", "D1", 1, "W1", Direction.In, Morning),
        ])), Token);

        await TestEnvironment.WaitUntilAsync(() => !acks.IsEmpty, TimeSpan.FromSeconds(10), "the ack", Token);
        var ack = acks.Single();
        Assert.Equal(1, ack.Accepted);
        var rejected = Assert.Single(ack.Rejected);
        Assert.Equal("D9:1", rejected.EventId);
        Assert.Contains("site-b", rejected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_batches_are_dropped_unacked_and_the_next_batch_is_stored_and_acked()
    {
        await using var hub = await InProcessHub.StartAsync(Token);
        var (gateway, _) = await hub.ConnectGatewayAsync("site-a", InProcessHub.GatewayPassword, Token);
        using var client = gateway;
        var acks = await InProcessHub.CollectAcksAsync(gateway, "site-a", Token);
        var good = InProcessHub.Encode(new PunchBatch("site-a", "b-good", [InProcessHub.MakePunch("site-a", "D1", 1, "W1", Direction.In, Morning)]));

        foreach (var payload in new[] { "not json"u8.ToArray(), """{"siteId":"site-a","punches":[]}"""u8.ToArray(), [.. good, .. "}"u8.ToArray()], good })
        {
            var result = await gateway.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(UplinkTopics.Punches("site-a")).WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), Token);
            Assert.True(result.IsSuccess);
        }

        await TestEnvironment.WaitUntilAsync(() => !acks.IsEmpty, TimeSpan.FromSeconds(10), "the good batch's ack", Token);
        Assert.Equal(("b-good", 1), (acks.Single().BatchId, acks.Single().Accepted));
        Assert.Equal(1, hub.Store.Count);
        Assert.True(gateway.IsConnected);
    }

    [Fact]
    public async Task A_wrong_gateway_password_is_refused()
    {
        await using var hub = await InProcessHub.StartAsync(Token);

        var (client, result) = await hub.ConnectGatewayAsync("site-a", "not-the-password", Token);
        using var _ = client;
        var (unknown, unknownResult) = await hub.ConnectGatewayAsync("site-zzz", "whatever-pw", Token);
        using var __ = unknown;

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, result);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, unknownResult);
    }

    [Fact]
    public async Task A_gateway_cannot_publish_or_read_another_sites_topics()
    {
        await using var hub = await InProcessHub.StartAsync(Token);
        var (gateway, _) = await hub.ConnectGatewayAsync("site-a", InProcessHub.GatewayPassword, Token);
        using var client = gateway;

        var publish = await gateway.PublishAsync(InProcessHub.BatchMessage("site-b", new PunchBatch("site-a", "x",
            [InProcessHub.MakePunch("site-b", "D1", 1, "W1", Direction.In, Morning)])), Token);
        var subscribeAcks = await gateway.SubscribeAsync(UplinkTopics.Acks("site-b"), MqttQualityOfServiceLevel.AtLeastOnce, Token);
        var subscribeAll = await gateway.SubscribeAsync("sitehub/v1/sites/#", MqttQualityOfServiceLevel.AtLeastOnce, Token);
        var forgeAck = await gateway.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(UplinkTopics.Acks("site-a")).WithPayload("{}")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), Token);

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, publish.ReasonCode);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, subscribeAcks.Items.Single().ResultCode);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, subscribeAll.Items.Single().ResultCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, forgeAck.ReasonCode);
        Assert.Equal(0, hub.Store.Count);
    }

    [Fact]
    public async Task Gateway_status_is_shown_with_its_backlog()
    {
        await using var hub = await InProcessHub.StartAsync(Token);
        var (gateway, _) = await hub.ConnectGatewayAsync("site-a", InProcessHub.GatewayPassword, Token);
        using var client = gateway;
        var status = new GatewayStatus("site-a", true, 1234, Morning, 3, 1, "test", DateTimeOffset.UtcNow);

        await gateway.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(UplinkTopics.Status("site-a"))
            .WithPayload(JsonSerializer.SerializeToUtf8Bytes(status, ProtocolsJsonContext.Default.GatewayStatus))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build(), Token);

        await TestEnvironment.WaitUntilAsync(async () =>
        {
            var gateways = await hub.Api.GetFromJsonAsync<JsonElement>("/api/gateways", Token);
            return gateways.EnumerateArray().Any(g => g.GetProperty("siteId").GetString() == "site-a"
                && g.TryGetProperty("status", out var s) && s.GetProperty("backlog").GetInt64() == 1234);
        }, TimeSpan.FromSeconds(10), "the gateway's backlog in /api/gateways", Token);
    }
}
