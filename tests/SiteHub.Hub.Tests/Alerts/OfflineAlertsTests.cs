using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MQTTnet;
using MQTTnet.Protocol;
using SiteHub.Protocols;
using SiteHub.Hub.Alerts;
using SiteHub.Hub.Gateways;
using SiteHub.Hub.Reconciliation;
using SiteHub.Protocols.Uplink;
using SiteHub.Testing;

namespace SiteHub.Hub.Tests.Alerts;

/// <summary>
/// <c>GATEWAY_OFFLINE</c>: the pure decision (<see cref="OfflineRules"/>) and lifecycle on a fake
/// clock, then a real hub whose watch raises the alert for a silent gateway and resolves it when
/// the gateway is heard again.
/// </summary>
public sealed class OfflineAlertsTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 7, 30, 0, TimeSpan.FromHours(8));
    private static readonly TimeSpan Threshold = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan DeviceThreshold = TimeSpan.FromMinutes(10);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static GatewayStatus Report(string site, DateTimeOffset at) => new(site, true, 0, null, 3, 0, "1.0", at);

    [Fact]
    public void Exactly_at_the_threshold_a_gateway_is_not_yet_offline()
    {
        Assert.False(OfflineRules.IsSilentPast(Threshold, Threshold));
        Assert.True(OfflineRules.IsSilentPast(Threshold + TimeSpan.FromTicks(1), Threshold));
        Assert.False(OfflineRules.IsSilentPast(null, Threshold));

        var clock = new FakeTimeProvider(Start);
        var directory = new GatewayDirectory(clock);
        directory.ApplyStatus("s1", Report("s1", Start));
        clock.Advance(Threshold);
        var atThreshold = OfflineRules.Decide(directory.All, _ => 0, Threshold, DeviceThreshold);
        Assert.Empty(atThreshold.Offline);
        Assert.True(atThreshold.Covers("GATEWAY_OFFLINE", "s1"));

        clock.Advance(TimeSpan.FromSeconds(1));
        var past = Assert.Single(OfflineRules.Decide(directory.All, _ => 0, Threshold, DeviceThreshold).Offline);
        Assert.Equal((AlertType.GatewayOffline, "s1", (string?)null), (past.Type, past.SiteId, past.Device));
        Assert.Contains("Gateway of site s1 silent since 2026-03-01 23:30:00Z", past.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Severity_is_high_while_workers_are_on_site_else_medium()
    {
        var clock = new FakeTimeProvider(Start);
        var directory = new GatewayDirectory(clock);
        directory.ApplyStatus("busy", Report("busy", Start));
        directory.ApplyStatus("empty", Report("empty", Start));
        clock.Advance(Threshold * 2);

        var decision = OfflineRules.Decide(directory.All, site => site == "busy" ? 12 : 0, Threshold, DeviceThreshold);

        Assert.Equal([("busy", AlertSeverity.High), ("empty", AlertSeverity.Medium)], decision.Offline.Select(a => (a.SiteId, a.Severity)).OrderBy(a => a.SiteId).ToList());
        Assert.Contains("12 worker(s) on site", decision.Offline.Single(a => a.SiteId == "busy").Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gateway_never_heard_decides_nothing_and_other_types_are_not_covered()
    {
        var clock = new FakeTimeProvider(Start);
        var directory = new GatewayDirectory(clock);
        directory.ApplyStatus("ghost", new GatewayStatus("ghost", false, 0, null, 0, 0, "1.0", Start.AddDays(-1))); // only its last will
        clock.Advance(Threshold * 3);

        var decision = OfflineRules.Decide(directory.All, _ => 0, Threshold, DeviceThreshold);

        Assert.Empty(decision.Offline);
        Assert.False(decision.Covers("GATEWAY_OFFLINE", "ghost"));
        Assert.False(decision.Covers("TOPIC_VIOLATION", "ghost"));
    }

    [Fact]
    public void Raised_once_updated_when_workers_leave_and_resolved_by_the_system_when_heard_again()
    {
        var clock = new FakeTimeProvider(Start);
        var directory = new GatewayDirectory(clock);
        directory.ApplyStatus("s1", Report("s1", Start));
        clock.Advance(Threshold + TimeSpan.FromMinutes(1));

        var alert = Assert.Single(OfflineRules.Decide(directory.All, _ => 4, Threshold, DeviceThreshold).Offline);
        var raised = AlertLifecycle.Offline(null, alert, clock.GetUtcNow())!;
        Assert.Equal(("GATEWAY_OFFLINE", "high", "open", "s1", true), (raised.Type, raised.Severity, raised.Status, raised.SiteId, raised.Standing));
        Assert.Equal(alert.Key, raised.Key);

        // The next tick, nothing changed: nothing to write.
        clock.Advance(TimeSpan.FromMinutes(1));
        var same = Assert.Single(OfflineRules.Decide(directory.All, _ => 4, Threshold, DeviceThreshold).Offline);
        Assert.Null(AlertLifecycle.Offline(raised, same, clock.GetUtcNow()));

        // Everyone left: medium.
        var emptied = Assert.Single(OfflineRules.Decide(directory.All, _ => 0, Threshold, DeviceThreshold).Offline);
        var updated = AlertLifecycle.Offline(raised, emptied, clock.GetUtcNow())!;
        Assert.Equal(("medium", "updated"), (updated.Severity, updated.History[^1].Action));

        // Heard again: the decision covers the site and no longer finds it silent.
        directory.ApplyStatus("s1", Report("s1", clock.GetUtcNow()));
        var heard = OfflineRules.Decide(directory.All, _ => 0, Threshold, DeviceThreshold);
        Assert.Empty(heard.Offline);
        Assert.True(heard.Covers(updated.Type, updated.SiteId));
        var resolved = AlertLifecycle.Clears(updated, clock.GetUtcNow())!;
        Assert.Equal(("resolved", AlertStatus.System, false), (resolved.Status, resolved.ResolvedBy, resolved.Standing));
        Assert.Equal("resolved", resolved.History[^1].Action);
        Assert.Equal(AlertStatus.System, resolved.History[^1].User);
        Assert.True(AlertTypes.IsOutsideRules("GATEWAY_OFFLINE"));
        Assert.True(AlertTypes.IsOutsideRules("DEVICE_OFFLINE"));
    }

    [Fact]
    public void A_device_disconnected_past_its_threshold_by_the_gateways_clock_is_offline_until_back()
    {
        var clock = new FakeTimeProvider(Start);
        var directory = new GatewayDirectory(clock);
        var gatewayClock = Start.AddHours(3); // skewed: only the gateway's own clock is compared with its device times
        directory.ApplyStatus("s1", Report("s1", gatewayClock) with { OfflineDevices = [new OfflineDevice("ZK-1", gatewayClock - DeviceThreshold), new OfflineDevice("ZK-2", gatewayClock.AddMinutes(-2))] });
        var atThreshold = OfflineRules.Decide(directory.All, _ => 0, Threshold, DeviceThreshold);
        Assert.Empty(atThreshold.Offline);
        Assert.True(atThreshold.Covers("DEVICE_OFFLINE", "s1"));

        // The silence grows with the time since the hub heard the gateway.
        clock.Advance(TimeSpan.FromSeconds(30));
        var offline = Assert.Single(OfflineRules.Decide(directory.All, _ => 2, Threshold, DeviceThreshold).Offline);
        Assert.Equal((AlertType.DeviceOffline, AlertSeverity.High, "s1", "ZK-1"), (offline.Type, offline.Severity, offline.SiteId, offline.Device));
        var raised = AlertLifecycle.Offline(null, offline, clock.GetUtcNow())!;
        Assert.Equal(("DEVICE_OFFLINE", "s1", "ZK-1"), (raised.Type, raised.SiteId, raised.Client));

        // Back: the next status lists none; the site is covered, so the alert is resolved.
        directory.ApplyStatus("s1", Report("s1", gatewayClock.AddMinutes(1)) with { OfflineDevices = [] });
        var back = OfflineRules.Decide(directory.All, _ => 2, Threshold, DeviceThreshold);
        Assert.Empty(back.Offline);
        Assert.True(back.Covers(raised.Type, raised.SiteId));
    }

    [Fact]
    public void Device_alerts_are_left_alone_for_older_gateways_and_while_the_gateway_itself_is_silent()
    {
        var clock = new FakeTimeProvider(Start);
        var directory = new GatewayDirectory(clock);
        directory.ApplyStatus("old", Report("old", Start)); // no device list at all
        directory.ApplyStatus("cut", Report("cut", Start) with { OfflineDevices = [new OfflineDevice("ZK-9", Start.AddHours(-1))] });

        var decision = OfflineRules.Decide(directory.All, _ => 0, Threshold, DeviceThreshold);
        Assert.False(decision.Covers("DEVICE_OFFLINE", "old"));
        Assert.Equal("ZK-9", Assert.Single(decision.Offline).Device);

        clock.Advance(Threshold + TimeSpan.FromMinutes(1));
        decision = OfflineRules.Decide(directory.All, _ => 0, Threshold, DeviceThreshold);
        Assert.Equal([AlertType.GatewayOffline, AlertType.GatewayOffline], decision.Offline.Select(a => a.Type).ToList());
        Assert.False(decision.Covers("DEVICE_OFFLINE", "cut"));
    }

    [Fact]
    public async Task A_device_its_gateway_reports_disconnected_raises_DEVICE_OFFLINE_resolved_when_it_is_back()
    {
        await using var live = await LiveHub.StartAsync(Start, "site-d");
        var (gateway, _) = await live.Hub.ConnectGatewayAsync("site-d", "pw-site-d-gateway", Token);
        using var client = gateway;

        await PublishStatusAsync(gateway, live.Clock.GetUtcNow(), [new OfflineDevice("ZK-7", live.Clock.GetUtcNow().AddMinutes(-11))]);
        var alert = await WaitForAsync(live, "DEVICE_OFFLINE", "open", nudge: () =>
        {
            live.Clock.Advance(TimeSpan.FromSeconds(30));
            return Task.CompletedTask;
        });
        Assert.Equal(("medium", "site-d", "ZK-7"), (alert.GetProperty("severity").GetString(), alert.GetProperty("site_id").GetString(), alert.GetProperty("client").GetString()));

        // The gateway keeps reporting (so it is not itself offline); the device is back.
        var resolved = await WaitForAsync(live, "DEVICE_OFFLINE", "resolved", nudge: async () =>
        {
            live.Clock.Advance(TimeSpan.FromSeconds(30));
            await PublishStatusAsync(gateway, live.Clock.GetUtcNow(), []);
        });
        Assert.Equal("system", resolved.GetProperty("resolved_by").GetString());
    }

    private static async Task PublishStatusAsync(IMqttClient gateway, DateTimeOffset at, IReadOnlyList<OfflineDevice> offline)
    {
        var status = new GatewayStatus("site-d", true, 0, null, 0, offline.Count, "test", at, null, offline);
        var result = await gateway.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(UplinkTopics.Status("site-d"))
            .WithPayload(JsonSerializer.SerializeToUtf8Bytes(status, ProtocolsJsonContext.Default.GatewayStatus))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), Token);
        Assert.True(result.IsSuccess);
    }

    [Fact]
    public async Task A_silent_gateway_raises_GATEWAY_OFFLINE_and_is_resolved_when_heard_again()
    {
        await using var live = await LiveHub.StartAsync(Start, "site-g");
        await live.PublishPunchesAsync("site-g", "id,site,sn,person,direction,at\n1,site-g,D1,W1,in,2026-03-02T07:30:00+08:00\n");

        // The gateway went quiet after its batch: nudge the fake clock a minute a tick until the watch sees it.
        var alert = await WaitForAsync(live, "GATEWAY_OFFLINE", "open", Minute(live));
        Assert.Equal(("high", "site-g"), (alert.GetProperty("severity").GetString(), alert.GetProperty("site_id").GetString()));
        Assert.Contains("1 worker(s) on site", alert.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // A rebuild of the payroll rules leaves it standing.
        live.Hub.App.Services.GetRequiredService<LiveReconciler>().Rebuild();
        Assert.Equal("open", (await WaitForAsync(live, "GATEWAY_OFFLINE", "open", nudge: null)).GetProperty("status").GetString());

        // The gateway comes back: the next tick resolves it.
        var (gateway, _) = await live.Hub.ConnectGatewayAsync("site-g", "pw-site-g-gateway", Token);
        using var client = gateway;
        await TestEnvironment.WaitUntilAsync(async () =>
            (await live.GetAsync("/api/gateways")).EnumerateArray().Any(g => g.GetProperty("siteId").GetString() == "site-g" && g.GetProperty("connected").GetBoolean()),
            TimeSpan.FromSeconds(10), "the hub to hear the gateway", Token);
        var resolved = await WaitForAsync(live, "GATEWAY_OFFLINE", "resolved", Minute(live));
        var detail = await live.GetAsync($"/api/alerts/{resolved.GetProperty("id").GetInt64()}");
        Assert.Equal("system", detail.GetProperty("resolved_by").GetString());
        var last = detail.GetProperty("history").EnumerateArray().Last();
        Assert.Equal(("resolved", "system"), (last.GetProperty("action").GetString(), last.GetProperty("user").GetString()));
    }

    private static Func<Task> Minute(LiveHub live) => () =>
    {
        live.Clock.Advance(TimeSpan.FromMinutes(1));
        return Task.CompletedTask;
    };

    /// <summary>Waits for the single alert of <paramref name="type"/> to reach <paramref name="status"/>, calling <paramref name="nudge"/> (moving the fake clock) before each look.</summary>
    private static async Task<JsonElement> WaitForAsync(LiveHub live, string type, string status, Func<Task>? nudge)
    {
        JsonElement found = default;
        await TestEnvironment.WaitUntilAsync(async () =>
        {
            if (nudge is not null)
            {
                await nudge();
            }

            var alerts = (await live.GetAsync("/api/alerts?type=" + type)).EnumerateArray().ToList();
            Assert.True(alerts.Count <= 1, $"one {type} alert, not {alerts.Count}");
            found = alerts.Count == 1 ? alerts[0].Clone() : default;
            return alerts.Count == 1 && found.GetProperty("status").GetString() == status;
        }, TimeSpan.FromSeconds(20), $"a {type} alert {status}", Token);
        return found;
    }
}
