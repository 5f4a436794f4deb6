using Microsoft.Playwright;

namespace SiteHub.Browser.Tests;

public sealed class LoginTests
{
    [Fact]
    public async Task A_wrong_password_is_refused_and_the_right_one_opens_the_devices_page()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var gateway = await GatewayUnderTest.StartAsync(ct);
        await using var chromium = await Chromium.LaunchAsync(gateway.BaseUrl);
        var page = chromium.Page;

        await page.GotoAsync("/");
        Assert.Contains("/login", page.Url, StringComparison.Ordinal);

        await page.FillAsync("#password", "not-the-password");
        await page.ClickAsync("#login-submit");
        await Assertions.Expect(page.Locator("#login-error")).ToHaveTextAsync("用户名或密码错误");
        Assert.Contains("/login", page.Url, StringComparison.Ordinal);
        await chromium.ScreenshotAsync("login-refused");

        await page.FillAsync("#password", GatewayUnderTest.AdminPassword);
        await page.ClickAsync("#login-submit");
        await Assertions.Expect(page.Locator("h1").First).ToContainTextAsync("设备");
        await chromium.ScreenshotAsync("after-login");

        // The audit log shows both attempts.
        await page.GotoAsync("/audit");
        await Assertions.Expect(page.Locator("#audit")).ToContainTextAsync("login-failed");
        await Assertions.Expect(page.Locator("#audit tbody tr").First).ToContainTextAsync("login");
        await chromium.ScreenshotAsync("audit");

        // English is one click away and stays chosen.
        await page.ClickAsync("#language");
        await Assertions.Expect(page.Locator("h1").First).ToHaveTextAsync("Audit log");
        await page.GotoAsync("/");
        await Assertions.Expect(page.Locator("h1").First).ToContainTextAsync("Devices");
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_one()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var gateway = await GatewayUnderTest.StartAsync(ct);
        await using var chromium = await Chromium.LaunchAsync(gateway.BaseUrl);
        var page = chromium.Page;

        for (var i = 0; i < 5; i++)
        {
            await page.GotoAsync("/login");
            await page.FillAsync("#password", "wrong-" + i);
            await page.ClickAsync("#login-submit");
            await Assertions.Expect(page.Locator("#login-error")).ToBeVisibleAsync();
        }

        await page.GotoAsync("/login");
        await page.FillAsync("#password", GatewayUnderTest.AdminPassword);
        await page.ClickAsync("#login-submit");
        await Assertions.Expect(page.Locator("#login-error")).ToContainTextAsync("锁定");
        await chromium.ScreenshotAsync("login-locked");

        // Scripts with Basic credentials are not locked out of the REST API.
        using var response = await gateway.Api.GetAsync("/api/devices", ct);
        Assert.True(response.IsSuccessStatusCode);
    }
}
