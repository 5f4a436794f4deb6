using Microsoft.Playwright;
using SiteHub.Testing;

namespace SiteHub.Browser.Tests;

/// <summary>
/// Debian's Chromium driven by Playwright (never a downloaded browser), one per test, with a
/// tablet-sized page; screenshots go to <c>artifacts/screenshots/gateway-*.png</c> and <c>hub-*.png</c>.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private Chromium(IPlaywright playwright, IBrowser browser, IBrowserContext context, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Context = context;
        Page = page;
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public static string ScreenshotFolder => Path.Combine(TestEnvironment.RepoRoot, "artifacts", "screenshots");

    public static async Task<Chromium> LaunchAsync(string baseUrl)
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: install Debian's chromium (apt-get install chromium fonts-noto-cjk), or run scripts/test.sh");
        }

        // Two shared cores: a live update may take seconds under load; the bounded wait says what it waited for.
        Assertions.SetDefaultExpectTimeout(20_000);
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        // A 10-inch tablet in landscape: what a site admin holds at the gate.
        var context = await browser.NewContextAsync(new() { BaseURL = baseUrl, ViewportSize = new() { Width = 1280, Height = 800 }, Locale = "zh-CN" });
        context.SetDefaultTimeout(30_000);
        context.SetDefaultNavigationTimeout(60_000);
        var page = await context.NewPageAsync();
        return new Chromium(playwright, browser, context, page);
    }

    /// <summary>Signs in through the login page.</summary>
    public async Task LoginAsync(string password = GatewayUnderTest.AdminPassword, string? user = null)
    {
        await Page.GotoAsync("/login");
        if (user is not null)
        {
            await Page.FillAsync("#user", user);
        }

        await Page.FillAsync("#password", password);
        await Page.ClickAsync("#login-submit");
        // DOMContentLoaded, not load: the page's deferred script has run (its listeners are on),
        // while a busy machine can hold the load event of a page with a live event stream for
        // longer than the navigation timeout (seen twice in a full run on the shared 2-core box).
        await Page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal), new() { WaitUntil = Microsoft.Playwright.WaitUntilState.DOMContentLoaded });
    }

    /// <summary>Saves a full-page screenshot as <c>artifacts/screenshots/gateway-{name}.png</c>.</summary>
    public Task<string> ScreenshotAsync(string name) => ScreenshotAsync("gateway", name);

    /// <summary>Saves a full-page screenshot as <c>artifacts/screenshots/{app}-{name}.png</c>.</summary>
    public async Task<string> ScreenshotAsync(string app, string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        var path = Path.Combine(ScreenshotFolder, $"{app}-{name}.png");
        await Page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        await _browser.CloseAsync();
        _playwright.Dispose();
    }
}
