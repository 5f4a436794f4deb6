using System.Net.Http.Json;
using System.Text.Json;
using SiteHub.Protocols.Punches;
using SiteHub.Testing;

namespace SiteHub.EndToEnd.Tests;

/// <summary>The uplink over TLS: the gateway trusts only the CA it is given.</summary>
public sealed class TlsUplinkTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Punches_flow_over_tls_when_the_gateway_trusts_the_hubs_ca()
    {
        await using var site = await StartAsync(trustRightCa: true);
        var terminals = await site.AddTerminalsAsync(2, Token);
        try
        {
            for (var i = 0; i < 50; i++)
            {
                terminals[i % 2].Punch($"W{i:D3}", Direction.In);
            }

            foreach (var terminal in terminals)
            {
                Assert.True(await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(30), Token));
            }

            await site.AssertHubHasExactlyAsync(terminals.SelectMany(t => t.Acked).ToList(), Token);
        }
        finally
        {
            foreach (var terminal in terminals)
            {
                await terminal.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_gateway_given_another_ca_refuses_the_hub_and_keeps_its_backlog()
    {
        await using var site = await StartAsync(trustRightCa: false);
        var terminals = await site.AddTerminalsAsync(1, Token);
        try
        {
            terminals[0].Punch("W001", Direction.In);
            Assert.True(await terminals[0].WaitDrainedAsync(TimeSpan.FromSeconds(30), Token));

            JsonElement uplink = default;
            await TestEnvironment.WaitUntilAsync(
                async () => (uplink = await site.GatewayApi.GetFromJsonAsync<JsonElement>("/api/uplink", Token)).GetProperty("lastError").ValueKind == JsonValueKind.String,
                TimeSpan.FromSeconds(30), "the uplink to report its TLS failure", Token);
            Assert.NotEqual("Connected", uplink.GetProperty("link").GetString());
            Assert.Equal(1, uplink.GetProperty("backlog").GetInt64());
            Assert.Empty(await site.HubEventIdsAsync(Token));
        }
        finally
        {
            await terminals[0].DisposeAsync();
        }
    }

    private static async Task<SiteUnderTest> StartAsync(bool trustRightCa)
    {
        var tlsPort = TestEnvironment.FreePort();
        var site = SiteUnderTest.Create();
        var pki = TestPki.Create(Path.Combine(site.Folder, "pki"));
        var other = TestPki.Create(Path.Combine(site.Folder, "other-pki"), "Some Other CA");
        site.ExtraHubArgs =
        [
            "--CentralBroker:Port=0",
            $"--CentralBroker:TlsPort={tlsPort}",
            $"--CentralBroker:TlsCertificatePath={pki.ServerCertificatePath}",
            $"--CentralBroker:TlsKeyPath={pki.ServerKeyPath}",
        ];
        site.ExtraGatewayArgs =
        [
            $"--Uplink:Port={tlsPort}",
            "--Uplink:UseTls=true",
            $"--Uplink:CaCertificatePath={(trustRightCa ? pki.CaCertificatePath : other.CaCertificatePath)}",
        ];
        await site.StartHubAsync(Token);
        await site.StartGatewayAsync(Token);
        return site;
    }
}
