using System.Net;
using SiteHub.Testing;

namespace SiteHub.Hub.Tests.Security;

/// <summary>
/// Bad values in every form of the hub's web UI and bad query strings on its pages, signed in like
/// a browser. Properties: never a 5xx, no redirect off the site, the hub still healthy after.
/// Counts go to <c>artifacts/fuzz-hub-ui.json</c>.
/// </summary>
public sealed class HubUiFormFuzzTests
{
    private const int Seed = 7_2027;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_form_and_page_of_the_hub_ui_answers_bad_input_without_a_server_error()
    {
        await using var hub = await InProcessHub.StartAsync(Token);
        await HubBadInputFuzzTests.SeedAsync(hub.Api);
        var input = new BadInput(Seed);
        var tally = new FuzzTally();
        using var browser = new FormFuzzer(hub.Api.BaseAddress!, input, tally);
        await browser.LoginAsync("admin", InProcessHub.AdminPassword, Token);

        foreach (var form in new UiForm[]
        {
            new("/alerts/1", "/alerts/1?handler=Acknowledge", ["comment"]),
            new("/alerts/1", "/alerts/1?handler=Resolve", ["comment"]),
            new("/imports", "/imports", ["kind", "file"], Multipart: true),
            new("/users", "/users", ["name", "role", "password"]),
            new("/rules", "/rules?handler=Global", ["noAttendanceDays", "excessivePayCap"], Likely: new Dictionary<string, string[]>
            {
                ["noAttendanceDays"] = ["1", "366", "367", "0", ""],
                ["excessivePayCap"] = ["1000.00", "0", "-1", "1e30"],
            }),
            new("/rules", "/rules?handler=Project", ["projectId", "payDay", "tolerance", "timezone", "noAttendanceDays", "excessivePayCap"], Likely: new Dictionary<string, string[]>
            {
                ["projectId"] = ["P1"],
                ["payDay"] = ["1", "28", "29", "0", "15"],
                ["tolerance"] = ["0", "0.5", "1", "-0.1", "0.01"],
                ["timezone"] = ["Asia/Shanghai", "UTC", "Mars/Olympus"],
            }),
            new("/", "/language", ["culture", "returnUrl"]),
        })
        {
            await browser.PostAsync(form, 60, Token);
        }

        await browser.GetAsync(
        [
            ("/alerts", ["type", "severity", "project", "contractor", "month", "status", "handler"]),
            ("/alerts/{0}", ["handler", "table"]),
            ("/alerts/1", ["handler", "table"]),
            ("/workers/{0}", ["month", "handler", "table"]),
            ("/workers/W1", ["month", "handler", "table"]),
            ("/sites/{0}", ["month", "handler", "project", "table"]),
            ("/sites/site-a", ["month", "handler", "project", "table"]),
            ("/contractors", ["handler", "x"]),
            ("/imports", ["handler", "table", "id"]),
            ("/users", ["handler", "x"]),
            ("/audit", ["handler", "x"]),
            ("/rules", ["handler", "saved"]),
            ("/", ["x"]),
            ("/login", ["returnUrl"]),
        ], 500, Token);

        // Last: blank user names are the admin's, so this fuzz locks the admin out (five wrong passwords, by design).
        await browser.PostAsync(new UiForm("/login", "/login", ["user", "password", "returnUrl"]), 60, Token);

        using var health = await hub.Api.GetAsync("/health", Token);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        foreach (var problem in await HubBadInputFuzzTests.InvalidStoredAsync(hub.Api))
        {
            tally.Fail("after the UI fuzz, " + problem);
        }

        tally.Save("fuzz-hub-ui", Seed);
        TestContext.Current.TestOutputHelper?.WriteLine($"{tally.Requests} requests: {tally.Statuses()}");
        Assert.True(tally.Failures.Count == 0, string.Join("\n", tally.Failures));
    }

    [Fact]
    public async Task A_form_field_named_like_a_broken_jquery_key_is_ignored_not_a_500()
    {
        await using var hub = await InProcessHub.StartAsync(Token);
        using var browser = new FormFuzzer(hub.Api.BaseAddress!, new BadInput(1), new FuzzTally());

        var status = await browser.PostFormAsync("/login", "/login", new() { ["user"] = "admin", ["password"] = InProcessHub.AdminPassword, ["![#"] = "x" }, Token);

        Assert.Equal(HttpStatusCode.Redirect, status);
    }
}
