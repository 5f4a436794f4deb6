using SiteHub.Protocols.Punches;
using SiteHub.Protocols.Uplink;
using SiteHub.Testing;

namespace SiteHub.Hub.Tests;

/// <summary>The hub's <c>/metrics</c>: its own series only, under the names the dashboards query.</summary>
public sealed class HubMetricsTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Prometheus_scrape_shows_punches_by_outcome_headcount_and_commit_groups_of_this_hub_alone()
    {
        await using var hub = await InProcessHub.StartAsync(Token);
        await using var other = await InProcessHub.StartAsync(Token); // same meter name, its own series
        var (gateway, _) = await hub.ConnectGatewayAsync("site-a", InProcessHub.GatewayPassword, Token);
        using var _ = gateway;
        var acks = await InProcessHub.CollectAcksAsync(gateway, "site-a", Token);
        var recently = DateTimeOffset.UtcNow.AddHours(-1).ToOffset(TimeSpan.FromHours(8));
        var punches = Enumerable.Range(1, 5).Select(i => InProcessHub.MakePunch("site-a", "D1", i, $"W{i}", Direction.In, recently.AddMinutes(i))).ToList();
        await gateway.PublishAsync(InProcessHub.BatchMessage("site-a", new PunchBatch("site-a", "m1", punches)), Token);
        await gateway.PublishAsync(InProcessHub.BatchMessage("site-a", new PunchBatch("site-a", "m2", punches)), Token);
        await TestEnvironment.WaitUntilAsync(() => acks.Count == 2, TimeSpan.FromSeconds(10), "two acks", Token);

        using var anonymous = new HttpClient { BaseAddress = hub.Api.BaseAddress };
        var text = await anonymous.GetStringAsync("/metrics", Token);
        Assert.Contains("target_info{service_name=\"sitehub-hub\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("sitehub_hub_punches_total{otel_scope_name=\"SiteHub.Hub\",outcome=\"accepted\",site=\"site-a\"} 5\n", text, StringComparison.Ordinal);
        Assert.Contains("sitehub_hub_punches_total{otel_scope_name=\"SiteHub.Hub\",outcome=\"duplicate\",site=\"site-a\"} 5\n", text, StringComparison.Ordinal);
        Assert.Contains("sitehub_hub_headcount{otel_scope_name=\"SiteHub.Hub\",site=\"site-a\"} 5\n", text, StringComparison.Ordinal);
        Assert.Contains("sitehub_commit_group_size_bucket{", text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n'), line => line.StartsWith("# TYPE sitehub_hub_headcount ", StringComparison.Ordinal));

        using var otherClient = new HttpClient { BaseAddress = other.Api.BaseAddress };
        var theOther = await otherClient.GetStringAsync("/metrics", Token);
        Assert.DoesNotContain("sitehub_hub_punches_total{", theOther, StringComparison.Ordinal);
    }
}
