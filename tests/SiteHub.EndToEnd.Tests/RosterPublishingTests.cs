using System.Net.Http.Json;
using System.Text.Json;
using SiteHub.Simulators.Demo;
using SiteHub.Testing;

namespace SiteHub.EndToEnd.Tests;

/// <summary>The roster imported at the hub reaches the site's gateway, which enrols from it.</summary>
public sealed class RosterPublishingTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_roster_imported_at_the_hub_becomes_the_gateways_roster()
    {
        await using var site = await SiteUnderTest.StartAsync(Token);
        var workers = Enumerable.Range(1, 12).Select(i => $"W{i:D4}").ToList();

        await new DemoBank(site.HubApi, SiteUnderTest.SiteId, workers, TimeProvider.System).ImportRegistryAsync(Token);

        JsonElement roster = default;
        await TestEnvironment.WaitUntilAsync(
            async () => (roster = await site.GatewayApi.GetFromJsonAsync<JsonElement>("/api/roster", Token)).GetArrayLength() == workers.Count,
            TimeSpan.FromSeconds(60), "the gateway to hold the hub's roster", Token);
        Assert.Equal(workers, roster.EnumerateArray().Select(w => w.GetProperty("id").GetString()).Order(StringComparer.Ordinal));
        Assert.All(roster.EnumerateArray(), w => Assert.False(string.IsNullOrEmpty(w.GetProperty("name").GetString())));

        // A restarted gateway gets the retained roster again.
        await site.Gateway!.KillAsync();
        await site.StartGatewayAsync(Token);
        await TestEnvironment.WaitUntilAsync(
            async () => (await site.GatewayApi.GetFromJsonAsync<JsonElement>("/api/roster", Token)).GetArrayLength() == workers.Count,
            TimeSpan.FromSeconds(60), "the roster after a restart", Token);
    }
}
