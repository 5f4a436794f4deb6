using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;
using SiteHub.Protocols;
using SiteHub.Protocols.Punches;
using SiteHub.Simulators.Terminals;
using SiteHub.Testing;

namespace SiteHub.Gateway.Tests;

/// <summary>Devices publishing through the gateway's embedded broker with real MQTT clients.</summary>
public sealed class EmbeddedBrokerIngestTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Acked_punches_are_committed_in_the_outbox_with_gate_and_direction()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await using var terminal = await gateway.AddTerminalAsync("T-1", Token, direction: "in");
        terminal.MaxBatch = 1;
        terminal.Start();
        var sent = Enumerable.Range(0, 25).Select(i => terminal.Punch($"W{i:D3}", Direction.Unknown)).ToList();

        Assert.True(await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(20), Token), "the terminal's cache did not drain");
        Assert.Equal(25, terminal.AckedCount);
        foreach (var punch in sent)
        {
            var stored = gateway.Outbox.FindPunch(punch.EventId);
            Assert.NotNull(stored);
            Assert.Equal("site-a", stored.SiteId);
            Assert.Equal("gate-1", stored.GateId);
            Assert.Equal(Direction.In, stored.Direction); // from the gate, the device said unknown
            Assert.Equal(punch.Person, stored.PersonId);
            Assert.Equal(punch.Time, stored.OccurredAt);
        }

        Assert.Equal(25, gateway.Outbox.PendingCount);
    }

    [Fact]
    public async Task A_batch_of_cached_punches_is_committed_whole()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await using var terminal = await gateway.AddTerminalAsync("T-2", Token);
        for (var i = 0; i < 450; i++)
        {
            terminal.Punch($"W{i % 40:D3}", i % 2 == 0 ? Direction.In : Direction.Out);
        }

        terminal.Start();
        Assert.True(await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(20), Token));
        Assert.Equal(450, gateway.Outbox.PendingCount);
    }

    [Fact]
    public async Task A_resent_punch_is_stored_once()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await using var terminal = await gateway.AddTerminalAsync("T-3", Token);
        var punch = new DevicePunch("T-3", 7, "W001", DateTimeOffset.Parse("2026-03-02T07:31:00+08:00", System.Globalization.CultureInfo.InvariantCulture), Direction.In, VerifyMode.Face);
        var payload = SiteHub.Protocols.SiteHubV1.SiteHubV1Codec.EncodePunch(punch);

        Assert.True((await terminal.PublishRawAsync(DeviceTopics.Punches("T-3"), payload, Token)).IsSuccess);
        Assert.True((await terminal.PublishRawAsync(DeviceTopics.Punches("T-3"), payload, Token)).IsSuccess);

        Assert.Equal(1, gateway.Outbox.PendingCount);
    }

    [Fact]
    public async Task Unknown_device_is_refused_and_listed_as_pending()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await using var stranger = new FaceTerminal("STRANGER-9", "whatever-secret", "127.0.0.1", gateway.BrokerPort);

        var result = await stranger.TryConnectAsync(Token);

        Assert.NotEqual(MqttClientConnectResultCode.Success, result);
        var pending = await gateway.Api.GetFromJsonAsync<JsonElement>("/api/devices/pending", Token);
        Assert.Contains(pending.EnumerateArray(), p => p.GetProperty("sn").GetString() == "STRANGER-9");
    }

    [Fact]
    public async Task Wrong_secret_is_refused_and_repeated_guessing_is_throttled()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await using var real = await gateway.AddTerminalAsync("T-4", Token);
        await using var impostor = new FaceTerminal("T-4", "not-the-secret", "127.0.0.1", gateway.BrokerPort);

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await impostor.TryConnectAsync(Token));
        for (var i = 0; i < 5; i++)
        {
            await impostor.TryConnectAsync(Token);
        }

        // Throttled now: even the right secret waits out the minute.
        Assert.Equal(MqttClientConnectResultCode.Banned, await real.TryConnectAsync(Token));
    }

    [Fact]
    public async Task A_device_cannot_publish_or_subscribe_under_another_device()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await using var victim = await gateway.AddTerminalAsync("T-5", Token);
        await using var attacker = await gateway.AddTerminalAsync("T-6", Token);
        var forged = SiteHub.Protocols.SiteHubV1.SiteHubV1Codec.EncodePunch(
            new DevicePunch("T-5", 1, "W001", DateTimeOffset.UtcNow, Direction.In, VerifyMode.Face));

        var publish = await attacker.PublishRawAsync(DeviceTopics.Punches("T-5"), forged, Token);

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, publish.ReasonCode);
        Assert.Equal(0, gateway.Outbox.PendingCount);

        // The attacker's own topic with the victim's serial inside is refused too (sn must match the topic).
        var own = await attacker.PublishRawAsync(DeviceTopics.Punches("T-6"), forged, Token);
        Assert.True(own.IsSuccess); // acked because it is kept in quarantine, not lost
        Assert.Equal(0, gateway.Outbox.PendingCount);

        using var spy = new MqttClientFactory().CreateMqttClient();
        await spy.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", gateway.BrokerPort).WithClientId("T-6-spy").WithCredentials("T-6", "secret-T-6").Build(), Token);
        var subscribe = await spy.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("devices/T-5/#").Build(), Token);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, subscribe.Items.Single().ResultCode);
        var wildcard = await spy.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("devices/+/cmd").Build(), Token);
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, wildcard.Items.Single().ResultCode);
    }

    [Theory]
    [InlineData("{not json", "malformed JSON")]
    [InlineData("{\"sn\":\"T-7\",\"seq\":\"x\",\"person\":\"W1\",\"time\":\"2026-03-02T07:31:00+08:00\"}", "seq")]
    [InlineData("{\"sn\":\"T-7\",\"person\":42,\"time\":\"2026-03-02T07:31:00+08:00\"}", "person")]
    [InlineData("{\"sn\":\"T-7\",\"person\":\"W1\",\"time\":\"2026-03-02T07:31:00\"}", "time")]
    [InlineData("{\"sn\":\"T-7\",\"person\":\"W1\",\"time\":\"2026-03-02T07:31:00+08:00\",\"dir\":\"sideways\"}", "dir")]
    public async Task Bad_payloads_are_quarantined_with_the_reason_and_the_gateway_keeps_running(string payload, string reasonMentions)
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await using var terminal = await gateway.AddTerminalAsync("T-7", Token);

        var result = await terminal.PublishRawAsync(DeviceTopics.Punches("T-7"), Encoding.UTF8.GetBytes(payload), Token);

        Assert.True(result.IsSuccess);
        var quarantine = await gateway.Api.GetFromJsonAsync<JsonElement>("/api/quarantine", Token);
        var kept = Assert.Single(quarantine.EnumerateArray());
        Assert.Contains(reasonMentions, kept.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(payload, kept.GetProperty("preview").GetString());

        // Still ingesting afterwards.
        terminal.Start();
        terminal.Punch("W002", Direction.In);
        Assert.True(await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(10), Token));
        Assert.Equal(1, gateway.Outbox.PendingCount);
    }

    [Fact]
    public async Task An_oversize_payload_is_quarantined_not_decoded()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token, "--SiteBroker:MaxPayloadBytes=2048");
        await using var terminal = await gateway.AddTerminalAsync("T-8", Token);
        var huge = Encoding.UTF8.GetBytes("{\"sn\":\"T-8\",\"person\":\"" + new string('x', 5000) + "\"}");

        Assert.True((await terminal.PublishRawAsync(DeviceTopics.Punches("T-8"), huge, Token)).IsSuccess);

        var outbox = await gateway.Api.GetFromJsonAsync<JsonElement>("/api/outbox", Token);
        Assert.Equal(1, outbox.GetProperty("quarantined").GetInt64());
        Assert.Equal(0, outbox.GetProperty("pending").GetInt64());
    }

    [Fact]
    public async Task Device_status_and_last_will_set_online_state()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        var terminal = await gateway.AddTerminalAsync("T-9", Token);
        terminal.Start();
        await TestEnvironment.WaitUntilAsync(async () => (await DeviceAsync(gateway, "T-9")).GetProperty("online").GetBoolean(), TimeSpan.FromSeconds(10), "T-9 online", Token);
        Assert.Equal("sim-1.0", (await DeviceAsync(gateway, "T-9")).GetProperty("firmware").GetString());

        await terminal.DisposeAsync();

        await TestEnvironment.WaitUntilAsync(async () => !(await DeviceAsync(gateway, "T-9")).GetProperty("online").GetBoolean(), TimeSpan.FromSeconds(10), "T-9 offline", Token);
    }

    [Fact]
    public async Task The_api_refuses_requests_without_the_admin_password()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        using var anonymous = new HttpClient { BaseAddress = gateway.Api.BaseAddress };

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/devices", Token)).StatusCode);
        anonymous.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:wrong")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/devices", Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await gateway.Api.GetAsync("/api/devices", Token)).StatusCode);
    }

    [Fact]
    public async Task Registering_a_device_without_a_secret_returns_a_generated_one_once()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);

        using var created = await gateway.Api.PostAsJsonAsync("/api/devices", new { sn = "GEN-1", gate = "east", direction = "out" }, Token);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>(Token);
        var secret = body.GetProperty("secret").GetString();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.False(string.IsNullOrEmpty(secret));
        Assert.False((await DeviceAsync(gateway, "GEN-1")).TryGetProperty("secret", out _));
        await using var terminal = new FaceTerminal("GEN-1", secret!, "127.0.0.1", gateway.BrokerPort);
        Assert.Equal(MqttClientConnectResultCode.Success, await terminal.TryConnectAsync(Token));
    }

    [Fact]
    public async Task Invalid_registrations_name_the_bad_field()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);

        using var response = await gateway.Api.PostAsJsonAsync("/api/devices", new { sn = "bad/serial", direction = "up" }, Token);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty("sn", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("direction", out _));
    }

    private static async Task<JsonElement> DeviceAsync(InProcessGateway gateway, string sn) =>
        await gateway.Api.GetFromJsonAsync<JsonElement>($"/api/devices/{sn}", Token);
}
