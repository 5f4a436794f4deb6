using System.Net.Http.Json;
using System.Text.Json;
using SiteHub.Protocols.Punches;
using SiteHub.Simulators.Terminals;
using SiteHub.Testing;

namespace SiteHub.EndToEnd.Tests;

/// <summary>
/// The hub unreachable for a while (the WAN link cut): the gateway keeps acking devices and its
/// backlog grows; the hub shows the gateway as disconnected with its last backlog; when the link
/// is back, punches recorded after the reconnect overtake the backlog, and everything arrives once.
/// </summary>
public sealed class HubUnreachableTests
{
    private const int Backlog = 10_000;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_gateway_buffers_during_the_outage_and_drains_live_first_after_it()
    {
        await using var site = SiteUnderTest.Create();
        await using var link = new TcpProxy(site.CentralBrokerPort);
        site.ExtraGatewayArgs = [$"--Uplink:Port={link.Port}", "--Uplink:StatusInterval=00:00:01"];
        await site.StartHubAsync(Token);
        await site.StartGatewayAsync(Token);
        var terminals = await site.AddTerminalsAsync(5, Token);
        try
        {
            await TestEnvironment.WaitUntilAsync(async () => await GatewayConnectedAtHubAsync(site) == true, TimeSpan.FromSeconds(30), "the gateway at the hub", Token);
            link.Cut();

            for (var i = 0; i < Backlog; i++)
            {
                terminals[i % 5].Punch($"W{i % 400:D4}", i % 2 == 0 ? Direction.In : Direction.Out, DateTimeOffset.UtcNow.AddSeconds(-Backlog + i));
            }

            foreach (var terminal in terminals)
            {
                Assert.True(await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(120), Token), "the gateway stopped acking devices while the hub was unreachable");
            }

            var uplink = await site.GatewayApi.GetFromJsonAsync<JsonElement>("/api/uplink", Token);
            Assert.Equal(Backlog, uplink.GetProperty("backlog").GetInt64());
            Assert.NotEqual("Connected", uplink.GetProperty("link").GetString());
            using (var health = await site.GatewayApi.GetAsync("/health", Token))
            {
                Assert.Contains("Degraded", await health.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
            }

            await TestEnvironment.WaitUntilAsync(async () => await GatewayConnectedAtHubAsync(site) == false, TimeSpan.FromSeconds(60), "the hub to see the gateway gone", Token);
            Assert.Empty(await site.HubEventIdsAsync(Token));

            link.Restore();
            await TestEnvironment.WaitUntilAsync(async () => await GatewayConnectedAtHubAsync(site) == true, TimeSpan.FromSeconds(60), "the gateway back at the hub", Token);
            var live = terminals[0].Punch("LIVE-1", Direction.In);

            List<string> atHubWhenLiveArrived = [];
            await TestEnvironment.WaitUntilAsync(
                async () => (atHubWhenLiveArrived = await site.HubEventIdsAsync(Token)).Contains(live.EventId),
                TimeSpan.FromSeconds(60), "the live punch at the hub", Token);
            Assert.True(atHubWhenLiveArrived.Count < Backlog + 1,
                $"the live punch arrived only after the whole backlog ({atHubWhenLiveArrived.Count} punches were there already)");

            await site.AssertHubHasExactlyAsync(terminals.SelectMany(t => t.Acked).ToList(), Token);
            await TestEnvironment.WaitUntilAsync(
                async () => (await site.GatewayApi.GetFromJsonAsync<JsonElement>("/api/uplink", Token)).GetProperty("backlog").GetInt64() == 0,
                TimeSpan.FromSeconds(30), "the gateway's backlog to drain", Token);
        }
        finally
        {
            foreach (var terminal in terminals)
            {
                await terminal.DisposeAsync();
            }
        }
    }

    private static async Task<bool?> GatewayConnectedAtHubAsync(SiteUnderTest site)
    {
        var gateways = await site.HubApi.GetFromJsonAsync<JsonElement>("/api/gateways", Token);
        foreach (var gateway in gateways.EnumerateArray())
        {
            if (gateway.GetProperty("siteId").GetString() == SiteUnderTest.SiteId)
            {
                return gateway.GetProperty("connected").GetBoolean();
            }
        }

        return null;
    }
}
