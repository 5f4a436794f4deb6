using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SiteHub.Simulators.Terminals;
using SiteHub.Testing;

namespace SiteHub.Gateway.Tests;

/// <summary>Device commands and roster enrolment on simulated terminals of every protocol.</summary>
public sealed class CommandTests
{
    private static readonly string[] FastCommands =
    [
        "--Commands:ResendAfter=00:00:02", "--Commands:DispatchInterval=00:00:00.100", "--Enrolment:Interval=00:00:00.300",
    ];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static Uri BaseUri(InProcessGateway gateway) => new($"http://127.0.0.1:{gateway.HttpPort}");

    [Fact]
    public async Task The_roster_converges_on_every_terminal_including_ones_offline_during_the_change()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token, FastCommands);
        await gateway.RegisterAsync("ZK-E", "zk-adms", Token);
        await gateway.RegisterAsync("FACE-E", "sitehub-v1", Token);
        await using var hik = new HikTerminal("HIK-E", BaseUri(gateway)) { HeartbeatInterval = null };
        await hik.StartAsync();
        await gateway.RegisterAsync("HIK-E", "hik-isapi", Token, deviceUrl: hik.IsapiUrl!.ToString());
        await using var zk = new ZkTerminal("ZK-E", BaseUri(gateway));
        await using var face = new FaceTerminal("FACE-E", "secret-FACE-E", "127.0.0.1", gateway.BrokerPort);
        zk.Start();
        face.Start();
        var enrolled = new Func<IReadOnlyDictionary<string, string>>[] { () => zk.Enrolled, () => face.Commands.Enrolled, () => hik.Enrolled };

        await PutRosterAsync(gateway, ("W1", "Ann"), ("W2", "Bo"));
        await WaitConvergedAsync(enrolled, ["W1=Ann", "W2=Bo"]);

        zk.Online = false;
        face.Online = false;
        hik.Online = false;
        await TestEnvironment.WaitUntilAsync(async () => !(await Device(gateway, "FACE-E")).GetProperty("online").GetBoolean(), TimeSpan.FromSeconds(10), "FACE-E offline", Token);
        await PutRosterAsync(gateway, ("W2", "Bo Li"), ("W3", "Cy"));
        await Task.Delay(TimeSpan.FromSeconds(1), Token); // several dispatch rounds with the terminals away
        Assert.All(enrolled, e => Assert.Contains("W1", e().Keys));

        zk.Online = true;
        face.Online = true;
        hik.Online = true;
        await WaitConvergedAsync(enrolled, ["W2=Bo Li", "W3=Cy"]);
        var commands = await gateway.Api.GetFromJsonAsync<JsonElement>("/api/devices/HIK-E/commands", Token);
        Assert.All(commands.EnumerateArray(), c => Assert.Equal("done", c.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task A_command_posted_to_the_api_is_delivered_and_its_result_recorded()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token, FastCommands);
        await gateway.RegisterAsync("ZK-C", "zk-adms", Token);
        await using var zk = new ZkTerminal("ZK-C", BaseUri(gateway));
        zk.Start();

        using var response = await gateway.Api.PostAsJsonAsync("/api/devices/ZK-C/commands", new { op = "open", args = new { door = "1" } }, Token);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("id").GetInt64();

        await TestEnvironment.WaitUntilAsync(
            async () => (await gateway.Api.GetFromJsonAsync<JsonElement>($"/api/devices/ZK-C/commands/{id}", Token)).GetProperty("state").GetString() == "done",
            TimeSpan.FromSeconds(10), "the open command to be done", Token);
        Assert.Contains(zk.Executed, text => text.StartsWith("CONTROL DEVICE 01", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bad_command_is_refused_with_the_reason()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await gateway.RegisterAsync("ZK-D", "zk-adms", Token);

        using var badOp = await gateway.Api.PostAsJsonAsync("/api/devices/ZK-D/commands", new { op = "self-destruct" }, Token);
        using var noPerson = await gateway.Api.PostAsJsonAsync("/api/devices/ZK-D/commands", new { op = "upsert-person", args = new { name = "Ann" } }, Token);
        using var noDevice = await gateway.Api.PostAsJsonAsync("/api/devices/NOPE/commands", new { op = "reboot" }, Token);

        Assert.Equal(HttpStatusCode.BadRequest, badOp.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noPerson.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, noDevice.StatusCode);
    }

    [Fact]
    public async Task A_hikvision_device_without_a_url_keeps_its_commands_queued_and_says_why()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token, FastCommands);
        await gateway.RegisterAsync("HIK-N", "hik-isapi", Token);
        using var response = await gateway.Api.PostAsJsonAsync("/api/devices/HIK-N/commands", new { op = "reboot" }, Token);
        response.EnsureSuccessStatusCode();

        await TestEnvironment.WaitUntilAsync(
            async () => (await gateway.Api.GetFromJsonAsync<JsonElement>("/api/devices/HIK-N/commands", Token))[0].TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String,
            TimeSpan.FromSeconds(10), "the undelivered note", Token);
        var command = (await gateway.Api.GetFromJsonAsync<JsonElement>("/api/devices/HIK-N/commands", Token))[0];
        Assert.Equal("queued", command.GetProperty("state").GetString());
        Assert.Contains("not delivered", command.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private static async Task PutRosterAsync(InProcessGateway gateway, params (string Id, string Name)[] workers)
    {
        using var response = await gateway.Api.PutAsJsonAsync("/api/roster", new { workers = workers.Select(w => new { id = w.Id, name = w.Name }) }, Token);
        response.EnsureSuccessStatusCode();
    }

    private static Task WaitConvergedAsync(IEnumerable<Func<IReadOnlyDictionary<string, string>>> terminals, string[] expected) =>
        TestEnvironment.WaitUntilAsync(
            () => terminals.All(t => t().Select(p => $"{p.Key}={p.Value}").Order(StringComparer.Ordinal).SequenceEqual(expected)),
            TimeSpan.FromSeconds(30), "every terminal to hold " + string.Join(", ", expected), Token);

    private static async Task<JsonElement> Device(InProcessGateway gateway, string sn) =>
        await gateway.Api.GetFromJsonAsync<JsonElement>("/api/devices/" + sn, Token);
}
