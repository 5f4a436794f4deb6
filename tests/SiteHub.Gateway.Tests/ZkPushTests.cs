using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SiteHub.Protocols.Punches;
using SiteHub.Simulators.Terminals;
using SiteHub.Testing;

namespace SiteHub.Gateway.Tests;

/// <summary>ZKTeco terminals pushing over real HTTP (ADMS / iclock) to a running gateway.</summary>
public sealed class ZkPushTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static Uri BaseUri(InProcessGateway gateway) => new($"http://127.0.0.1:{gateway.HttpPort}");

    [Fact]
    public async Task Uploaded_records_are_committed_once_with_the_device_offset_and_gate_direction()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await gateway.RegisterAsync("ZK-1", "zk-adms", Token, direction: "in");
        await using var terminal = new ZkTerminal("ZK-1", BaseUri(gateway)) { MaxBatch = 7 };
        var sent = Enumerable.Range(0, 30).Select(i => terminal.Punch($"P{i:D3}", i % 2 == 0 ? Direction.Unknown : Direction.Out, DateTimeOffset.Parse("2026-03-02T07:00:00+08:00", System.Globalization.CultureInfo.InvariantCulture).AddMinutes(i))).ToList();
        terminal.Start();

        Assert.True(await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(20), Token), "the terminal's records were not all acknowledged");
        Assert.Equal(30, terminal.Acked.Count);
        Assert.Equal(30, gateway.Outbox.PendingCount);
        var first = gateway.Outbox.FindPunch(sent[0].EventId);
        Assert.NotNull(first);
        Assert.Equal(Direction.In, first.Direction); // status 255 (undefined): the gate decides
        Assert.Equal(TimeSpan.FromHours(8), first.OccurredAt.Offset);
        Assert.Equal("zk-adms", first.Protocol);
        Assert.Equal(Direction.Out, gateway.Outbox.FindPunch(sent[1].EventId)!.Direction);
    }

    [Fact]
    public async Task A_gateway_restarted_between_handshake_and_upload_counts_each_record_once_and_remembers_the_stamp()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await gateway.RegisterAsync("ZK-2", "zk-adms", Token);
        await using var terminal = new ZkTerminal("ZK-2", BaseUri(gateway)) { HoldUploads = true, MaxBatch = 5 };
        for (var i = 0; i < 12; i++)
        {
            terminal.Punch($"W{i:D2}", Direction.In);
        }

        terminal.Start();
        await TestEnvironment.WaitUntilAsync(() => terminal.Handshaken, TimeSpan.FromSeconds(10), "the handshake", Token);
        Assert.Equal(0, terminal.ServerStamp); // "None": a new device sends everything

        await gateway.RestartAsync(Token);
        terminal.HoldUploads = false;
        Assert.True(await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(20), Token));
        Assert.Equal(12, gateway.Outbox.PendingCount);

        // A second restart: the handshake hands back the committed stamp, so nothing is asked for again.
        await gateway.RestartAsync(Token);
        await terminal.HandshakeAsync(Token);
        Assert.Equal(12, terminal.ServerStamp);
        Assert.Equal(12, gateway.Outbox.PendingCount);
    }

    [Fact]
    public async Task A_resent_upload_is_answered_ok_and_stored_once()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await gateway.RegisterAsync("ZK-3", "zk-adms", Token);
        using var http = new HttpClient { BaseAddress = BaseUri(gateway) };
        const string Body = "1001\t2026-03-02 07:58:01\t0\t15\t0\t0\t0\n1002\t2026-03-02 07:58:09\t0\t1\t0\t0\t0\n";
        for (var i = 0; i < 2; i++)
        {
            using var response = await http.PostAsync("/iclock/cdata?SN=ZK-3&table=ATTLOG&Stamp=2", new StringContent(Body), Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("OK: 2", await response.Content.ReadAsStringAsync(Token));
        }

        Assert.Equal(2, gateway.Outbox.PendingCount);
    }

    [Fact]
    public async Task Bad_lines_are_quarantined_with_their_reason_while_good_lines_commit()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await gateway.RegisterAsync("ZK-4", "zk-adms", Token);
        using var http = new HttpClient { BaseAddress = BaseUri(gateway) };
        const string Body = "1001\t2026-03-02 07:58:01\t0\t15\t0\n1002\t2026-13-45 99:00:00\t0\t1\t0\n1003\t2026-03-02 08:01:00\t1\t2\t0\n";

        using var response = await http.PostAsync("/iclock/cdata?SN=ZK-4&table=ATTLOG&Stamp=3", new StringContent(Body), Token);

        Assert.Equal("OK: 3", await response.Content.ReadAsStringAsync(Token));
        Assert.Equal(2, gateway.Outbox.PendingCount);
        var quarantined = await gateway.Api.GetFromJsonAsync<JsonElement>("/api/quarantine", Token);
        var entry = Assert.Single(quarantined.EnumerateArray());
        Assert.Contains("line 2", entry.GetProperty("source").GetString(), StringComparison.Ordinal);
        Assert.Contains("2026-13-45", entry.GetProperty("preview").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(entry.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task Operlog_and_userinfo_are_accepted()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await gateway.RegisterAsync("ZK-5", "zk-adms", Token);
        using var http = new HttpClient { BaseAddress = BaseUri(gateway) };

        using var oplog = await http.PostAsync("/iclock/cdata?SN=ZK-5&table=OPERLOG&Stamp=9", new StringContent("OPLOG 4\t0\t2026-03-02 08:00:00\t0\t0\t0\t0\nUSER PIN=1\tName=Li Wei\tPri=0\n"), Token);
        Assert.Equal("OK: 2", await oplog.Content.ReadAsStringAsync(Token));
        Assert.Equal(0, gateway.Outbox.PendingCount);
    }

    [Fact]
    public async Task An_unknown_serial_is_refused_and_listed_as_pending()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await using var stranger = new ZkTerminal("ZK-STRANGER", BaseUri(gateway));

        await Assert.ThrowsAsync<HttpRequestException>(() => stranger.HandshakeAsync(Token));

        Assert.Equal(401, Assert.Single(stranger.Refusals));
        var pending = await gateway.Api.GetFromJsonAsync<JsonElement>("/api/devices/pending", Token);
        Assert.Contains(pending.EnumerateArray(), p => p.GetProperty("sn").GetString() == "ZK-STRANGER");
    }

    [Fact]
    public async Task A_device_of_another_protocol_is_refused()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await gateway.RegisterAsync("MQ-1", "sitehub-v1", Token);
        using var http = new HttpClient { BaseAddress = BaseUri(gateway) };

        using var response = await http.GetAsync("/iclock/cdata?SN=MQ-1&options=all", Token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Pushes_from_outside_the_allowed_networks_are_refused()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token, "--DevicePush:AllowedNetworks:0=10.0.0.0/8");
        await gateway.RegisterAsync("ZK-6", "zk-adms", Token);
        using var http = new HttpClient { BaseAddress = BaseUri(gateway) };

        using var response = await http.GetAsync("/iclock/cdata?SN=ZK-6&options=all", Token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task An_oversized_upload_is_refused_with_413_and_quarantined()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token, "--DevicePush:MaxBodyBytes=2048");
        await gateway.RegisterAsync("ZK-7", "zk-adms", Token);
        using var http = new HttpClient { BaseAddress = BaseUri(gateway) };
        var body = new StringBuilder();
        for (var i = 0; i < 100; i++)
        {
            body.Append(System.Globalization.CultureInfo.InvariantCulture, $"{1000 + i}\t2026-03-02 07:58:01\t0\t15\t0\n");
        }

        using var response = await http.PostAsync("/iclock/cdata?SN=ZK-7&table=ATTLOG&Stamp=100", new StringContent(body.ToString()), Token);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, gateway.Outbox.PendingCount);
        Assert.Equal(1, gateway.Outbox.Counts().Quarantined);
    }

    [Fact]
    public async Task A_bad_allowed_network_stops_start_up_naming_the_setting()
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => InProcessGateway.StartAsync(Token, "--DevicePush:AllowedNetworks:0=not-a-network"));
        Assert.Contains("DevicePush:AllowedNetworks", ex.ToString(), StringComparison.Ordinal);
    }
}
