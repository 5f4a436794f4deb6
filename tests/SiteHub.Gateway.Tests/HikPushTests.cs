using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SiteHub.Protocols;
using SiteHub.Protocols.HikIsapi;
using SiteHub.Protocols.Punches;
using SiteHub.Simulators.Terminals;
using SiteHub.Testing;

namespace SiteHub.Gateway.Tests;

/// <summary>Hikvision terminals pushing ISAPI events over real HTTP, and relaying them over MQTT.</summary>
public sealed class HikPushTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static Uri BaseUri(InProcessGateway gateway) => new($"http://127.0.0.1:{gateway.HttpPort}");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Verifications_are_committed_once_with_the_door_direction_and_pictures_kept_as_files(bool pictures)
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await gateway.RegisterAsync("HIK-1", "hik-isapi", Token, direction: "unknown");
        await using var terminal = new HikTerminal("HIK-1", BaseUri(gateway)) { Pictures = pictures, HeartbeatInterval = null };
        var sent = Enumerable.Range(0, 10).Select(i => terminal.Punch($"W{i}", i % 2 == 0 ? Direction.In : Direction.Out)).ToList();
        await terminal.StartAsync();

        Assert.True(await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(20), Token));
        Assert.Equal(10, terminal.Acked.Count);
        Assert.Equal(10, gateway.Outbox.PendingCount);
        Assert.Equal(Direction.In, gateway.Outbox.FindPunch(sent[0].EventId)!.Direction);
        Assert.Equal(Direction.Out, gateway.Outbox.FindPunch(sent[1].EventId)!.Direction);
        var pictureFolder = Path.Combine(gateway.DataPath, "pictures", "HIK-1");
        var files = Directory.Exists(pictureFolder) ? Directory.GetFiles(pictureFolder, "*.jpg", SearchOption.AllDirectories) : [];
        Assert.Equal(pictures ? 10 : 0, files.Length);
        if (pictures)
        {
            Assert.Equal(0xFF, File.ReadAllBytes(files[0])[0]);
        }
    }

    [Fact]
    public async Task A_failed_verification_is_a_device_event_with_its_picture_not_a_punch()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await gateway.RegisterAsync("HIK-2", "hik-isapi", Token);
        await using var terminal = new HikTerminal("HIK-2", BaseUri(gateway)) { HeartbeatInterval = null };
        terminal.FailedVerification();
        await terminal.StartAsync();

        Assert.True(await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(20), Token));
        Assert.Equal(0, gateway.Outbox.PendingCount);
        var events = await gateway.Api.GetFromJsonAsync<JsonElement>("/api/device-events?sn=HIK-2", Token);
        var e = Assert.Single(events.EnumerateArray());
        Assert.Equal("verification-failed", e.GetProperty("type").GetString());
        Assert.True(File.Exists(Path.Combine(gateway.DataPath, e.GetProperty("picturePath").GetString()!)));
    }

    [Fact]
    public async Task A_heartbeat_marks_the_device_online_with_its_clock()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await gateway.RegisterAsync("HIK-3", "hik-isapi", Token);
        await using var terminal = new HikTerminal("HIK-3", BaseUri(gateway)) { HeartbeatInterval = TimeSpan.FromMilliseconds(200) };
        await terminal.StartAsync();

        await TestEnvironment.WaitUntilAsync(
            async () => (await gateway.Api.GetFromJsonAsync<JsonElement>("/api/devices/HIK-3", Token)).TryGetProperty("deviceClock", out var clock) && clock.ValueKind == JsonValueKind.String,
            TimeSpan.FromSeconds(10), "the heartbeat to reach the registry", Token);
        var device = await gateway.Api.GetFromJsonAsync<JsonElement>("/api/devices/HIK-3", Token);
        Assert.True(device.GetProperty("online").GetBoolean());
    }

    [Fact]
    public async Task An_unreadable_event_is_quarantined_and_answered_with_the_reason()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await gateway.RegisterAsync("HIK-4", "hik-isapi", Token);
        using var http = new HttpClient { BaseAddress = BaseUri(gateway) };

        using var response = await http.PostAsync("/isapi/events/HIK-4", new StringContent("{\"eventType\":", Encoding.UTF8, "application/json"), Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Token);
        Assert.Equal("quarantined", body.GetProperty("subStatusCode").GetString());
        Assert.Equal(1, gateway.Outbox.Counts().Quarantined);
    }

    [Fact]
    public async Task An_unknown_serial_is_refused_with_401()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        using var http = new HttpClient { BaseAddress = BaseUri(gateway) };

        using var response = await http.PostAsync("/isapi/events/HIK-NOBODY", new ByteArrayContent(HikIsapiCodec.EncodeHeartbeat(DateTimeOffset.Now)), Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_picture_over_the_cap_is_not_kept_and_that_is_recorded()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token, "--DevicePush:MaxPictureBytes=100");
        await gateway.RegisterAsync("HIK-5", "hik-isapi", Token);
        await using var terminal = new HikTerminal("HIK-5", BaseUri(gateway)) { HeartbeatInterval = null };
        terminal.Punch("W1", Direction.In);
        await terminal.StartAsync();

        Assert.True(await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(20), Token));
        Assert.Equal(1, gateway.Outbox.PendingCount);
        var events = await gateway.Api.GetFromJsonAsync<JsonElement>("/api/device-events?sn=HIK-5", Token);
        Assert.Contains(events.EnumerateArray(), e => e.GetProperty("code").GetString() == "picture-not-kept");
    }

    [Fact]
    public async Task Event_json_relayed_over_mqtt_is_read_by_the_device_protocol()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await gateway.RegisterAsync("HIK-6", "hik-isapi", Token);
        await using var relay = new FaceTerminal("HIK-6", "secret-HIK-6", "127.0.0.1", gateway.BrokerPort);
        var json = HikIsapiCodec.EncodeAccessEvent(new HikAccessEvent(DateTimeOffset.Parse("2026-03-02T07:58:01+08:00", System.Globalization.CultureInfo.InvariantCulture), HikEventCodes.FacePass, 42, EmployeeNo: "W42", DoorNo: 2));

        var result = await relay.PublishRawAsync(DeviceTopics.Events("HIK-6"), json, Token);

        Assert.True(result.IsSuccess);
        var punch = gateway.Outbox.FindPunch("HIK-6:42");
        Assert.NotNull(punch);
        Assert.Equal(Direction.Out, punch.Direction);
        Assert.Equal("W42", punch.PersonId);
    }
}
