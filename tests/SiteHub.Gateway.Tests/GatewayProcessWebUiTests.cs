using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using SiteHub.Testing;

namespace SiteHub.Gateway.Tests;

/// <summary>
/// The built gateway as its own process, as it runs on a site box: the web UI is served without
/// MVC or Razor Pages (their assemblies, JIT'd code and metadata were ~12 MiB of its resident memory
/// at 1,000 punches/s; BENCHMARKS.md "Gateway memory"), checked in what the process has mapped after
/// every page was opened and every kind of form was posted.
/// </summary>
public sealed partial class GatewayProcessWebUiTests
{
    private const string AdminPassword = "process-admin-pw";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_page_works_and_no_MVC_or_Razor_assembly_is_loaded()
    {
        using var folder = new TempFolder("gateway-process-ui");
        var (gateway, address) = await GatewayProcess.StartAsync(folder.Path, AdminPassword, Token);
        await using var _ = gateway;
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = address,
        };

        using (var anonymous = await browser.GetAsync("/", Token))
        {
            Assert.Equal("/login", anonymous.Headers.Location?.AbsolutePath);
        }

        var login = await PageAsync(browser, "/login", "登录");
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(browser, "/login", login, new() { ["user"] = "admin", ["password"] = "wrong-password" }));
        Assert.Equal(HttpStatusCode.Redirect, await PostAsync(browser, "/login", login, new() { ["user"] = "admin", ["password"] = AdminPassword }));

        var devices = await PageAsync(browser, "/", "id=\"devices\"");
        Assert.Equal(HttpStatusCode.Redirect, await PostAsync(browser, "/?handler=add", devices, new() { ["sn"] = "ZK-1", ["protocol"] = "zk-adms", ["direction"] = "in" }));
        var device = await PageAsync(browser, "/devices/ZK-1", "id=\"secret\"");
        Assert.Equal(HttpStatusCode.Redirect, await PostAsync(browser, "/devices/ZK-1?handler=command", device, new() { ["op"] = "sync-time" }));
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(browser, "/devices/ZK-1?handler=edit", device, new() { ["direction"] = "sideways" }));
        await PageAsync(browser, "/roster", "id=\"roster\"");
        var quarantine = await PageAsync(browser, "/quarantine", "隔离");
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(browser, "/quarantine?handler=replay", quarantine, new() { ["id"] = "not-an-id" }));
        Assert.Equal(HttpStatusCode.Redirect, await PostAsync(browser, "/language", quarantine, new() { ["culture"] = "en", ["returnUrl"] = "/audit" }));
        await PageAsync(browser, "/audit", "Audit log");
        using (var commands = await browser.GetAsync("/ui/api/devices/ZK-1/commands", Token))
        {
            Assert.Contains("sync-time", await commands.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.Redirect, await PostAsync(browser, "/logout", quarantine, []));

        var mapped = File.ReadLines($"/proc/{gateway.Id.ToString(CultureInfo.InvariantCulture)}/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6)
            .Select(fields => Path.GetFileName(fields[5]))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        // The reading itself works: the pieces of ASP.NET Core the UI does use are there.
        Assert.Contains("Microsoft.AspNetCore.Antiforgery.dll", mapped);
        Assert.Contains("Microsoft.AspNetCore.Authentication.Cookies.dll", mapped);
        Assert.DoesNotContain(mapped, file => file.StartsWith("Microsoft.AspNetCore.Mvc", StringComparison.Ordinal)
            || file.StartsWith("Microsoft.AspNetCore.Razor", StringComparison.Ordinal)
            || file.StartsWith("Microsoft.AspNetCore.Components", StringComparison.Ordinal));

        // Nor ICU (invariant globalization): the pages above still came in Chinese, then in English.
        Assert.DoesNotContain(mapped, file => file.StartsWith("libicu", StringComparison.Ordinal));
    }

    /// <summary>GETs a page that must show <paramref name="expected"/>; returns its antiforgery token.</summary>
    private static async Task<string> PageAsync(HttpClient browser, string path, string expected)
    {
        using var response = await browser.GetAsync(path, Token);
        var html = await response.Content.ReadAsStringAsync(Token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode}");
        Assert.Contains(expected, html, StringComparison.Ordinal);
        var token = TokenInput().Match(html);
        Assert.True(token.Success, $"GET {path}: no antiforgery token in its forms");
        return WebUtility.HtmlDecode(token.Groups[1].Value);
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient browser, string action, string token, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = token;
        using var content = new FormUrlEncodedContent(fields);
        using var response = await browser.PostAsync(action, content, Token);
        return response.StatusCode;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenInput();
}
