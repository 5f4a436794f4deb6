using Microsoft.Playwright;
using SiteHub.Protocols.Punches;
using SiteHub.Testing;

namespace SiteHub.Browser.Tests;

public sealed class QuarantineAndUplinkTests
{
    [Fact]
    public async Task A_quarantined_payload_is_shown_escaped_and_replays_after_the_protocol_is_fixed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var gateway = await GatewayUnderTest.StartAsync(ct);
        // Registered with the wrong protocol: its sitehub-v1 punches cannot be read as ZKTeco.
        await using var terminal = await gateway.AddTerminalAsync("FACE-MIS-05", ct, protocol: "zk-adms");
        terminal.Start();
        var punch = terminal.Punch("W<b>7</b>", Direction.In);
        await TestEnvironment.WaitUntilAsync(() => gateway.Outbox.Counts().Quarantined == 1, TimeSpan.FromSeconds(20), "the payload to be quarantined", ct);

        await using var chromium = await Chromium.LaunchAsync(gateway.BaseUrl);
        var page = chromium.Page;
        await chromium.LoginAsync();
        await page.GotoAsync("/quarantine");
        var entry = page.Locator("article.quarantined").First;
        await Assertions.Expect(entry).ToContainTextAsync("FACE-MIS-05");
        await Assertions.Expect(entry.Locator(".reason")).ToContainTextAsync("zk-adms");
        // The raw payload is text on the page, not markup.
        await Assertions.Expect(entry.Locator("pre")).ToContainTextAsync("W<b>7</b>");
        await Assertions.Expect(entry.Locator("pre b")).ToHaveCountAsync(0);
        await chromium.ScreenshotAsync("quarantine");

        // Replaying before the fix keeps it, with the reason.
        await entry.Locator("button.replay").ClickAsync();
        await Assertions.Expect(page.Locator("#replay-message")).ToContainTextAsync("仍无法解析");
        Assert.Null(gateway.Outbox.FindPunch(punch.EventId));

        await page.GotoAsync("/devices/FACE-MIS-05");
        await page.SelectOptionAsync("#edit-protocol", "sitehub-v1");
        await page.ClickAsync("#save-device");
        await Assertions.Expect(page.Locator("#settings")).ToContainTextAsync("devices/FACE-MIS-05");

        await page.GotoAsync("/quarantine");
        await page.Locator("article.quarantined button.replay").First.ClickAsync();
        await Assertions.Expect(page.Locator("#replay-message")).ToContainTextAsync("重新处理成功，已提交 1 条打卡");
        await Assertions.Expect(page.Locator("article.quarantined .replayed-badge")).ToHaveCountAsync(1);
        await chromium.ScreenshotAsync("quarantine-replayed");
        Assert.Equal("W<b>7</b>", gateway.Outbox.FindPunch(punch.EventId)?.PersonId);
    }

    [Fact]
    public async Task The_uplink_panel_shows_a_backlog_while_the_hub_is_down_and_drains_when_it_is_back()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var hub = await HubUnderTest.StartAsync(ct);
        await using var link = new TcpProxy(hub.BrokerPort);
        await using var gateway = await GatewayUnderTest.StartAsync(ct, link.Port, HubUnderTest.GatewayPassword);
        await using var terminal = await gateway.AddTerminalAsync("FACE-UP-09", ct);
        terminal.Start();
        await using var chromium = await Chromium.LaunchAsync(gateway.BaseUrl);
        var page = chromium.Page;
        await chromium.LoginAsync();

        await Assertions.Expect(page.Locator("#uplink-state")).ToHaveTextAsync("已连接");
        link.Cut();
        await Assertions.Expect(page.Locator("#uplink-state")).ToHaveTextAsync("未连接");
        for (var i = 0; i < 25; i++)
        {
            terminal.Punch($"W{i:D4}", Direction.In);
        }

        await Assertions.Expect(page.Locator("#uplink-backlog")).ToHaveTextAsync("25");
        await Assertions.Expect(page.Locator("#uplink-oldest")).Not.ToHaveTextAsync("-");
        await Assertions.Expect(page.Locator("#punches tbody tr")).ToHaveCountAsync(25);
        await chromium.ScreenshotAsync("uplink-backlog");

        link.Restore();
        await Assertions.Expect(page.Locator("#uplink-state")).ToHaveTextAsync("已连接", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#uplink-backlog")).ToHaveTextAsync("0", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#uplink-lastack")).Not.ToHaveTextAsync("-");
        await Assertions.Expect(page.Locator("#uplink-rate")).Not.ToHaveTextAsync("0");
        await chromium.ScreenshotAsync("uplink-drained");
    }
}
