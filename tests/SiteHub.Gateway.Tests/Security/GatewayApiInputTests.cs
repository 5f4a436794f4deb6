using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace SiteHub.Gateway.Tests.Security;

/// <summary>Regression tests for what the gateway API battery (<see cref="GatewayApiFuzzTests"/>) found.</summary>
public sealed class GatewayApiInputTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("POST", "/api/devices", """{"sn":"FZ-1","secret":"secret-fuzz","protocol":"zk-adms"}""")]
    [InlineData("POST", "/api/devices/ZK-1/commands", """{"op":"reboot"}""")]
    [InlineData("PUT", "/api/roster", """{"workers":[]}""")]
    public async Task A_json_body_in_a_charset_other_than_utf8_is_refused_naming_the_body_and_changes_nothing(string method, string path, string json)
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await gateway.RegisterAsync("ZK-1", "zk-adms", Token);
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json)) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=gbk");

        using var response = await gateway.Api.SendAsync(request, Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(await NamesAsync(response, "body"));
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.Api.GetAsync("/api/devices/FZ-1", Token)).StatusCode);
        Assert.Equal("[]", await gateway.Api.GetStringAsync("/api/devices/ZK-1/commands", Token));
    }

    [Fact]
    public async Task A_roster_with_a_null_worker_is_refused_naming_it_and_the_roster_is_kept()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        using var first = await gateway.Api.PutAsJsonAsync("/api/roster", new { workers = new[] { new { id = "W0", name = "张三" } } }, Token);
        first.EnsureSuccessStatusCode();

        using var response = await gateway.Api.PutAsync("/api/roster", new StringContent("""{"workers":[{"id":"W1","name":"李四"},null]}""", Encoding.UTF8, "application/json"), Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(await NamesAsync(response, "workers[1]"));
        Assert.Contains("W0", await gateway.Api.GetStringAsync("/api/roster", Token), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/device-events?limit=0x7fffffff")]
    [InlineData("/api/quarantine?limit=abc")]
    public async Task A_limit_that_is_not_a_number_is_refused_naming_limit(string path)
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);

        using var response = await gateway.Api.GetAsync(path, Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(await NamesAsync(response, "limit"));
    }

    [Theory]
    [InlineData("""{"sn":"FZ-1","gate":{}}""", "gate")]
    [InlineData("""{"op":["reboot"]}""", "op")]
    public async Task A_field_of_the_wrong_json_type_is_refused_naming_it(string json, string field)
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await gateway.RegisterAsync("ZK-1", "zk-adms", Token);

        using var response = await gateway.Api.PostAsync(field == "op" ? "/api/devices/ZK-1/commands" : "/api/devices", new StringContent(json, Encoding.UTF8, "application/json"), Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(await NamesAsync(response, field));
    }

    private static async Task<bool> NamesAsync(HttpResponseMessage response, string field) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("errors").TryGetProperty(field, out _);
}
