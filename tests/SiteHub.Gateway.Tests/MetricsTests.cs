using System.Globalization;
using System.Text.RegularExpressions;
using SiteHub.Protocols.Punches;
using SiteHub.Testing;

namespace SiteHub.Gateway.Tests;

public sealed partial class MetricsTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Prometheus_scrape_shows_punches_backlog_and_commit_groups()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await using var terminal = await gateway.AddTerminalAsync("MET-1", Token);
        terminal.Start();
        for (var i = 0; i < 7; i++)
        {
            terminal.Punch($"W{i}", Direction.In);
        }

        Assert.True(await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(10), Token));
        using var anonymous = new HttpClient { BaseAddress = gateway.Api.BaseAddress };

        var text = "";
        await TestEnvironment.WaitUntilAsync(async () => Value(text = await anonymous.GetStringAsync("/metrics", Token), "sitehub_gateway_punches_received_total") == 7,
            TimeSpan.FromSeconds(10), "7 punches in /metrics", Token);
        Assert.Equal(7, Value(text, "sitehub_gateway_outbox_backlog"));
        Assert.Contains("sitehub_commit_group_size", text, StringComparison.Ordinal);
        Assert.Contains("sitehub_gateway_devices{", text, StringComparison.Ordinal);
    }

    private static double Value(string text, string metric)
    {
        var match = Regex.Match(text, "^" + Regex.Escape(metric) + @"(\{[^}]*\})? (\S+)", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) : double.NaN;
    }
}
