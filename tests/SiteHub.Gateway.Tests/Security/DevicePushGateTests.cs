using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SiteHub.Testing;

namespace SiteHub.Gateway.Tests.Security;

/// <summary>
/// The checks in front of the HTTP push endpoints (ZKTeco ADMS, Hikvision ISAPI), over real HTTP:
/// allowed networks, registered serials, body size.
/// </summary>
public sealed class DevicePushGateTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> Endpoints => new()
    {
        { "GET", "/iclock/cdata?SN=DEV-1&options=all" },
        { "POST", "/iclock/cdata?SN=DEV-1&table=ATTLOG&Stamp=1" },
        { "GET", "/iclock/getrequest?SN=DEV-1" },
        { "POST", "/iclock/devicecmd?SN=DEV-1" },
        { "GET", "/iclock/ping?SN=DEV-1" },
        { "POST", "/isapi/events/DEV-1" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_push_from_outside_the_allowed_networks_is_refused_403_and_logged(string method, string path)
    {
        var logs = new CapturedLogs();
        await using var gateway = await InProcessGateway.StartAsync(logs.Install, Token, "--DevicePush:AllowedNetworks:0=10.20.0.0/16", "--DevicePush:AllowedNetworks:1=fd00::/8");
        await gateway.RegisterAsync("DEV-1", path.StartsWith("/isapi", StringComparison.Ordinal) ? "hik-isapi" : "zk-adms", Token);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gateway.HttpPort}") };

        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? new StringContent("1\t2026-03-02 07:58:01\t0\t15\t0\n") : null }, Token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("DevicePush:AllowedNetworks", await response.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        Assert.True(logs.Contains("Refused a device push from 127.0.0.1"), "the refusal is logged with the source address");
        Assert.Equal(0, gateway.Outbox.PendingCount);
        Assert.Equal(0, gateway.Outbox.Counts().Quarantined);
    }

    [Fact]
    public async Task An_oversized_hikvision_event_is_refused_413_and_kept_truncated_in_quarantine()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token, "--DevicePush:MaxBodyBytes=4096");
        await gateway.RegisterAsync("HIK-9", "hik-isapi", Token);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gateway.HttpPort}") };
        using var multipart = new MultipartFormDataContent("boundary42");
        multipart.Add(new StringContent("""{"eventType":"AccessControllerEvent"}""", Encoding.UTF8, "application/json"), "event_log");
        multipart.Add(new ByteArrayContent(new byte[64 * 1024]) { Headers = { ContentType = new MediaTypeHeaderValue("image/jpeg") } }, "Picture", "face.jpg");

        using var response = await http.PostAsync("/isapi/events/HIK-9", multipart, Token);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, gateway.Outbox.PendingCount);
        var quarantine = await gateway.Api.GetFromJsonAsync<JsonElement>("/api/quarantine", Token);
        Assert.Contains("MaxBodyBytes", Assert.Single(quarantine.EnumerateArray()).GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/iclock/cdata?SN=ZK-NEW&table=ATTLOG&Stamp=1", "zk")]
    [InlineData("/isapi/events/HIK-NEW", "hik")]
    public async Task An_unknown_serial_is_refused_401_and_listed_pending(string path, string kind)
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gateway.HttpPort}") };

        using var response = await http.PostAsync(path, new StringContent("1\t2026-03-02 07:58:01\t0\t15\t0\n"), Token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("pending", await response.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        var pending = await gateway.Api.GetFromJsonAsync<JsonElement>("/api/devices/pending", Token);
        Assert.Contains(pending.EnumerateArray(), p => p.GetProperty("sn").GetString() == (kind == "zk" ? "ZK-NEW" : "HIK-NEW"));
        Assert.Equal(0, gateway.Outbox.PendingCount);
    }
}
