using System.Collections.Concurrent;
using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;
using SiteHub.Protocols;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.SiteHubV1;
using SiteHub.Simulators.Terminals;
using SiteHub.Testing;

namespace SiteHub.EndToEnd.Tests;

/// <summary>
/// The case that breaks the usual do-it-yourself setup: the WAN link to the centre is cut, devices
/// keep punching, the site's store-and-forward process is SIGKILLed and restarted, and only then
/// the link comes back. 20,000 QoS 1 messages; link cut at 8,000 acked, SIGKILL at 10,000, link
/// back at 12,000. SiteHub must lose nothing acked; the peer (site mosquitto with persistence,
/// bridged to a central mosquitto) runs beside it in the same test run for comparison.
/// Results go to <c>artifacts/reliability-wan-outage.json</c> and RELIABILITY.md.
/// </summary>
public sealed class WanOutageTests
{
    private const int Total = 20_000;
    private const int CutAt = 8_000;
    private const int KillAt = 10_000;
    private const int RestoreAt = 12_000;
    private const int Devices = 20;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public sealed record Row(string System, int Sent, int Acked, int AtCentre, int Duplicates, int Lost, double MessagesPerSecond);

    private static List<FaceTerminal> Terminals(int port, Func<int, string> secret)
    {
        var terminals = new List<FaceTerminal>();
        for (var d = 0; d < Devices; d++)
        {
            var terminal = new FaceTerminal($"WAN-{d:D2}", secret(d), "127.0.0.1", port) { MaxBatch = 1 };
            for (var i = 0; i < Total / Devices; i++)
            {
                terminal.Punch($"W{i % 500:D4}", i % 2 == 0 ? Direction.In : Direction.Out, DateTimeOffset.UtcNow.AddSeconds(-i));
            }

            terminals.Add(terminal);
        }

        return terminals;
    }

    /// <summary>Starts the terminals and fires the faults as the acked count passes each mark.</summary>
    private static async Task<double> RunScenarioAsync(List<FaceTerminal> terminals, Action cut, Func<Task> kill, Action restore)
    {
        var clock = Stopwatch.StartNew();
        foreach (var terminal in terminals)
        {
            terminal.Start();
        }

        int Acked() => terminals.Sum(t => t.AckedCount);
        await TestEnvironment.WaitUntilAsync(() => Acked() >= CutAt, TimeSpan.FromSeconds(120), $"{CutAt} acked", Token);
        cut();
        await TestEnvironment.WaitUntilAsync(() => Acked() >= KillAt, TimeSpan.FromSeconds(120), $"{KillAt} acked", Token);
        await kill();
        await TestEnvironment.WaitUntilAsync(() => Acked() >= RestoreAt, TimeSpan.FromSeconds(120), $"{RestoreAt} acked", Token);
        restore();
        await TestEnvironment.WaitUntilAsync(() => Acked() == Total, TimeSpan.FromSeconds(180), $"all {Total} acked", Token);
        return Total / clock.Elapsed.TotalSeconds;
    }

    [Fact]
    public async Task SiteHub_loses_nothing_acked_when_the_gateway_is_killed_during_a_wan_outage_and_the_peer_is_measured_beside_it()
    {
        var rows = new List<Row>
        {
            await SiteHubAsync(),
            await PeerAsync("mosquitto bridge, autosave default (1800 s)", "autosave_interval 1800"),
            await PeerAsync("mosquitto bridge, autosave 1 s", "autosave_interval 1"),
        };

        var folder = Path.Combine(TestEnvironment.RepoRoot, "artifacts");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "reliability-wan-outage.json"), JsonSerializer.Serialize(rows, Indented), Token);
        foreach (var row in rows)
        {
            TestContext.Current.SendDiagnosticMessage(row.ToString());
        }

        var sitehub = rows[0];
        Assert.Equal(0, sitehub.Lost);
        Assert.Equal(0, sitehub.Duplicates);
        Assert.Equal(Total, sitehub.Acked);
    }

    private static async Task<Row> SiteHubAsync()
    {
        await using var site = SiteUnderTest.Create();
        await using var link = new TcpProxy(site.CentralBrokerPort);
        site.ExtraGatewayArgs = [$"--Uplink:Port={link.Port}"];
        await site.StartHubAsync(Token);
        await site.StartGatewayAsync(Token);
        await TestEnvironment.WaitUntilAsync(async () => (await site.HubApi.GetStringAsync("/api/gateways", Token)).Contains("\"connected\":true", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "the uplink", Token);
        foreach (var (sn, i) in Enumerable.Range(0, Devices).Select(i => ($"WAN-{i:D2}", i)))
        {
            using var response = await site.GatewayApi.PostAsync("/api/devices", JsonContent(sn), Token);
            response.EnsureSuccessStatusCode();
        }

        var terminals = Terminals(site.SiteBrokerPort, d => $"secret-WAN-{d:D2}");
        try
        {
            var rate = await RunScenarioAsync(terminals, link.Cut, async () =>
            {
                await site.Gateway!.KillAsync();
                await site.StartGatewayAsync(Token);
            }, link.Restore);
            var acked = terminals.SelectMany(t => t.Acked).ToList();
            await site.AssertHubHasExactlyAsync(acked, Token);
            var atHub = await site.HubEventIdsAsync(Token);
            var distinct = atHub.ToHashSet();
            return new Row("SiteHub (gateway → hub)", Total, acked.Count, distinct.Count, atHub.Count - distinct.Count, acked.Count(id => !distinct.Contains(id)), Math.Round(rate));
        }
        finally
        {
            foreach (var terminal in terminals)
            {
                await terminal.DisposeAsync();
            }
        }
    }

    private static StringContent JsonContent(string sn) => new(
        $$"""{"sn":"{{sn}}","secret":"secret-{{sn}}","gate":"g","direction":"in"}""", System.Text.Encoding.UTF8, "application/json");

    private static async Task<Row> PeerAsync(string name, string autosave)
    {
        await using var central = await MosquittoServer.StartAsync(Token);
        await using var link = new TcpProxy(central.Port);
        await using var siteBroker = await MosquittoServer.StartAsync(Token, $"""
            {autosave}
            connection central
            address 127.0.0.1:{link.Port}
            topic devices/# out 1
            cleansession false
            clientid site-bridge
            restart_timeout 1
            """);

        var received = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        using var subscriber = new MqttClientFactory().CreateMqttClient();
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            var sn = e.ApplicationMessage.Topic.Split('/')[1];
            foreach (var punch in SiteHubV1Codec.Decode(e.ApplicationMessage.Payload.ToArray(), sn))
            {
                received.AddOrUpdate(punch.EventId, 1, (_, n) => n + 1);
            }

            return Task.CompletedTask;
        };
        await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", central.Port).WithClientId("central-counter").WithCleanSession(false).Build(), Token);
        await subscriber.SubscribeAsync("devices/#", MqttQualityOfServiceLevel.AtLeastOnce, Token);

        // Start only once the bridge forwards (as SiteHub's run starts with its uplink connected).
        using (var probe = new MqttClientFactory().CreateMqttClient())
        {
            await probe.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", siteBroker.Port).WithClientId("probe").Build(), Token);
            var probePunch = SiteHubV1Codec.EncodePunch(new DevicePunch("PROBE", 1, "P", DateTimeOffset.UtcNow, Direction.In, VerifyMode.Face));
            await TestEnvironment.WaitUntilAsync(async () =>
            {
                await probe.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(DeviceTopics.Punches("PROBE")).WithPayload(probePunch)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), Token);
                await Task.Delay(TimeSpan.FromMilliseconds(200), Token); // the probe's resend interval
                return received.ContainsKey("PROBE:1");
            }, TimeSpan.FromSeconds(30), "the bridge to forward", Token);
            received.Clear();
        }

        var terminals = Terminals(siteBroker.Port, _ => "anonymous");
        try
        {
            var rate = await RunScenarioAsync(terminals, link.Cut, () => siteBroker.RestartAsync(Token), link.Restore);
            var acked = terminals.SelectMany(t => t.Acked).ToList();

            // Wait until the centre stops receiving (the bridge has forwarded what it still has).
            var last = -1;
            await TestEnvironment.WaitUntilAsync(async () =>
            {
                var now = received.Count;
                var settled = now == last || now >= acked.Count;
                last = now;
                await Task.Delay(TimeSpan.FromSeconds(2), Token);
                return settled && received.Count == now;
            }, TimeSpan.FromSeconds(120), "the bridge to settle", Token);

            var lost = acked.Count(id => !received.ContainsKey(id));
            return new Row(name, Total, acked.Count, received.Count, received.Values.Sum() - received.Count, lost, Math.Round(rate));
        }
        finally
        {
            foreach (var terminal in terminals)
            {
                await terminal.DisposeAsync();
            }
        }
    }
}
