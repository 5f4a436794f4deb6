using System.Net.Http.Json;
using Microsoft.Playwright;
using SiteHub.Protocols.Punches;
using SiteHub.Simulators.Terminals;
using SiteHub.Testing;

namespace SiteHub.Browser.Tests;

public sealed class DevicesPageTests
{
    private static ILocator DeviceState(IPage page, string sn) => page.Locator($"#devices tr[data-key='{sn}'] .state");

    [Fact]
    public async Task A_device_going_offline_turns_red_without_a_reload()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var gateway = await GatewayUnderTest.StartAsync(ct);
        var terminal = await gateway.AddTerminalAsync("FACE-EAST-01", ct);
        await using var other = await gateway.AddTerminalAsync("FACE-EAST-02", ct);
        await using var chromium = await Chromium.LaunchAsync(gateway.BaseUrl);
        var page = chromium.Page;
        await chromium.LoginAsync();

        terminal.Start();
        other.Start();
        terminal.Punch("W0001", Direction.In);
        await Assertions.Expect(DeviceState(page, "FACE-EAST-01")).ToHaveTextAsync("在线");
        await Assertions.Expect(DeviceState(page, "FACE-EAST-01")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("\\bok\\b"));
        await Assertions.Expect(page.Locator("#punches tbody tr")).Not.ToHaveCountAsync(0);
        await page.EvaluateAsync("() => { window.__noReload = true; }");

        await terminal.DisposeAsync();

        await Assertions.Expect(DeviceState(page, "FACE-EAST-01")).ToHaveTextAsync("离线");
        await Assertions.Expect(DeviceState(page, "FACE-EAST-01")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("\\bbad\\b"));
        await Assertions.Expect(page.Locator("#devices tr[data-key='FACE-EAST-01']")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("\\boffline\\b"));
        await Assertions.Expect(DeviceState(page, "FACE-EAST-02")).ToHaveTextAsync("在线");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__noReload === true"), "the page was reloaded");
        await chromium.ScreenshotAsync("devices");
    }

    [Fact]
    public async Task Approving_a_pending_device_shows_its_secret_once_and_lets_it_publish()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var gateway = await GatewayUnderTest.StartAsync(ct);
        await using var chromium = await Chromium.LaunchAsync(gateway.BaseUrl);
        var page = chromium.Page;
        await chromium.LoginAsync();

        await using var stranger = new FaceTerminal("FACE-NEW-07", "not-yet-known", "127.0.0.1", gateway.BrokerPort);
        Assert.NotEqual(MQTTnet.MqttClientConnectResultCode.Success, await stranger.TryConnectAsync(ct));

        var row = page.Locator("#pending tr[data-key='FACE-NEW-07']");
        await Assertions.Expect(row).ToBeVisibleAsync();
        await chromium.ScreenshotAsync("pending");
        await row.Locator("input[name=gate]").FillAsync("north-gate");
        await row.Locator("button.approve").ClickAsync();

        await Assertions.Expect(page.Locator("#secret")).ToBeVisibleAsync();
        var secret = (await page.Locator("#secret").TextContentAsync())!.Trim();
        await Assertions.Expect(page.Locator("#settings")).ToContainTextAsync("FACE-NEW-07");
        await chromium.ScreenshotAsync("device-approved");

        // Shown once: a reload no longer shows it.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#secret")).ToHaveCountAsync(0);

        stranger.Secret = secret;
        stranger.Start();
        var punch = stranger.Punch("W0042", Direction.In);
        await TestEnvironment.WaitUntilAsync(() => stranger.AckedCount == 1, TimeSpan.FromSeconds(20), "the approved device's punch to be acked", ct);

        await page.GotoAsync("/");
        await Assertions.Expect(page.Locator("#punches tbody tr").First).ToContainTextAsync("FACE-NEW-07");
        await Assertions.Expect(page.Locator("#punches tbody tr").First).ToContainTextAsync("north-gate");
        await Assertions.Expect(page.Locator("#pending tr[data-key='FACE-NEW-07']")).ToHaveCountAsync(0);
        Assert.Equal("W0042", gateway.Outbox.FindPunch(punch.EventId)?.PersonId);
    }

    [Fact]
    public async Task An_open_gate_command_reaches_the_terminal_and_shows_done()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var gateway = await GatewayUnderTest.StartAsync(ct);
        await using var terminal = await gateway.AddTerminalAsync("FACE-GATE-03", ct);
        terminal.Start();
        await TestEnvironment.WaitUntilAsync(() => terminal.IsConnected, TimeSpan.FromSeconds(20), "the terminal to connect", ct);
        await using var chromium = await Chromium.LaunchAsync(gateway.BaseUrl);
        var page = chromium.Page;
        await chromium.LoginAsync();

        await page.GotoAsync("/devices/FACE-GATE-03");
        await page.ClickAsync("button.cmd[data-op=open]");

        var state = page.Locator("#commands tbody tr").First.Locator(".cstate");
        await Assertions.Expect(state).ToHaveTextAsync("已完成");
        await Assertions.Expect(page.Locator("#commands tbody tr").First).ToContainTextAsync("open");
        Assert.Contains("open", terminal.Commands.Executed);
        await chromium.ScreenshotAsync("device-commands");

        await page.GotoAsync("/audit");
        await Assertions.Expect(page.Locator("#audit")).ToContainTextAsync("FACE-GATE-03: open");
    }
}
