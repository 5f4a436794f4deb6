using System.Text;
using Microsoft.Playwright;
using SiteHub.Hub.Headcount;
using SiteHub.Hub.WebUi;
using SiteHub.Protocols.Punches;

namespace SiteHub.Browser.Tests;

/// <summary>The hub UI's CSV exports, the contractor filter of the alerts, the rules page of admins and the day chart after a restart.</summary>
public sealed class HubExportsAndRulesTests
{
    private const string ClearIdNumber = "11010519491231002X";
    private const string ClearIdNumber2 = "110105194912310011";
    private const string ClearAccount = "6222021234561234";
    private const string ClearAccount2 = "6222021234565678";
    private const string ClearWageAccount = "6222000000000001";

    private const string Projects = "project_id,name,site_id,contractor,wage_account,pay_day,timezone,tolerance\n"
        + "P1,一号楼,site-a,中建三局,6222000000000001,15,Asia/Shanghai,0.01\n"
        + "P2,二号楼,site-b,城建集团,6222000000000002,15,Asia/Shanghai,0.01\n";

    private const string Roster = "worker_id,name,id_number,project_id,employer,team,bank_account,wage_type,wage_rate,start_date,end_date\n"
        + "w1,张三,11010519491231002X,P1,劳务一,木工,6222021234561234,day,300.00,2024-01-01,\n"
        + "w2,李四,110105194912310011,P2,劳务二,钢筋,6222021234565678,day,300.00,2024-01-01,\n";

    private const string PayoutHeader = "txn_id,payer_account,payee_name,payee_id_number,payee_account,amount,wage_month,paid_at,status\n";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string Payout(string txn, string project, string worker, decimal amount, string month = "2024-03") =>
        (project, worker) switch
        {
            ("P1", _) => $"{txn},6222000000000001,张三,{ClearIdNumber},{ClearAccount},{amount:F2},{month},2024-04-10,SUCCESS\n",
            _ => $"{txn},6222000000000002,李四,{ClearIdNumber2},{ClearAccount2},{amount:F2},{month},2024-04-10,SUCCESS\n",
        };

    private static async Task<string> CsvTextAsync(IAPIResponse response)
    {
        Assert.Equal(200, response.Status);
        Assert.StartsWith("text/csv", response.Headers["content-type"], StringComparison.Ordinal);
        var bytes = await response.BodyAsync();
        Assert.True(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble), "a CSV download starts with the UTF-8 byte order mark");
        return Encoding.UTF8.GetString(bytes.AsSpan(Encoding.UTF8.Preamble.Length));
    }

    private static void AssertNoClearNumbers(string csv, string what)
    {
        foreach (var clear in new[] { ClearIdNumber, ClearIdNumber2, ClearAccount, ClearAccount2, ClearWageAccount })
        {
            Assert.False(csv.Contains(clear, StringComparison.Ordinal), $"{what} holds {clear} in clear");
        }
    }

    [Fact]
    public async Task The_alerts_table_downloads_as_csv_with_its_rows_and_no_clear_numbers_and_every_table_has_its_csv()
    {
        await using var hub = await HubUiUnderTest.StartAsync(Token);
        await hub.ImportAsync("projects", Projects);
        await hub.ImportAsync("roster", Roster);
        await hub.ImportAsync("payouts", PayoutHeader + Payout("T1", "P1", "w1", 300m) + Payout("T2", "P2", "w2", 300m));
        var now = DateTimeOffset.UtcNow;
        await hub.PublishAsync("site-a", [HubUiUnderTest.Punch("site-a", 1, "w1", Direction.In, now.AddMinutes(-1))]);
        await using var chromium = await Chromium.LaunchAsync(hub.BaseUrl);
        var page = chromium.Page;
        await chromium.LoginAsync(HubUiUnderTest.AdminPassword);

        // Projects whose workers never came also have NO_ATTENDANCE alerts: the list is filtered to the payouts' alerts.
        await page.GotoAsync("/alerts?type=PAID_WITHOUT_ATTENDANCE");
        await Assertions.Expect(page.Locator("#alerts tbody tr", new() { HasText = "PAID_WITHOUT_ATTENDANCE" })).ToHaveCountAsync(2);
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#csv-alerts"));
        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        var bytes = await File.ReadAllBytesAsync(await download.PathAsync(), Token);
        Assert.True(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble), "UTF-8 with a byte order mark");
        var lines = Encoding.UTF8.GetString(bytes.AsSpan(3)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("alert_id,type,severity,project_id,contractors,worker_id,wage_month", lines[0], StringComparison.Ordinal);
        Assert.Equal(3, lines.Length);
        Assert.Contains(lines, l => l.Contains(",PAID_WITHOUT_ATTENDANCE,", StringComparison.Ordinal) && l.Contains(",P1,中建三局 / 劳务一,w1,2024-03,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(",PAID_WITHOUT_ATTENDANCE,", StringComparison.Ordinal) && l.Contains(",P2,城建集团 / 劳务二,w2,2024-03,", StringComparison.Ordinal));
        AssertNoClearNumbers(string.Join("\n", lines), "the alerts CSV");

        // Every table of every page has its download, none with a number in clear.
        var alertHref = await page.Locator("#alerts tbody tr a").First.GetAttributeAsync("href");
        foreach (var path in new[] { "/alerts", alertHref!, "/sites/site-a?month=2024-03", "/workers/w1?month=2024-03", "/imports", "/contractors", "/audit", "/users", "/rules" })
        {
            await page.GotoAsync(path);
            var links = page.Locator("a.export");
            await Assertions.Expect(links.First).ToBeAttachedAsync();
            foreach (var href in await links.EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))"))
            {
                var csv = await CsvTextAsync(await page.APIRequest.GetAsync(href));
                Assert.True(csv.Length > 0 && csv.Contains('\n', StringComparison.Ordinal), $"{href} has a header row");
                AssertNoClearNumbers(csv, href);
            }
        }

        // The site's tables: who is on site with masked ids only, the day's punches, the devices.
        var people = await CsvTextAsync(await page.APIRequest.GetAsync("/sites/site-a?handler=Csv&table=people"));
        Assert.Contains("worker_id_masked,since", people, StringComparison.Ordinal);
        Assert.Contains("w*,", people, StringComparison.Ordinal);
        var devices = await CsvTextAsync(await page.APIRequest.GetAsync("/sites/site-a?handler=Csv&table=devices"));
        Assert.Contains("T-1,gate-1,1,", devices, StringComparison.Ordinal);
        var payouts = await CsvTextAsync(await page.APIRequest.GetAsync("/workers/w1?handler=Csv&table=payouts&month=2024-03"));
        Assert.Contains("T1,P1,300.00,SUCCESS,2024-04-10", payouts, StringComparison.Ordinal);
        await chromium.ScreenshotAsync("hub", "site-exports");
    }

    [Fact]
    public async Task The_contractor_filter_narrows_the_list_the_live_feed_and_the_csv()
    {
        await using var hub = await HubUiUnderTest.StartAsync(Token);
        await hub.ImportAsync("projects", Projects);
        await hub.ImportAsync("roster", Roster);
        await hub.ImportAsync("payouts", PayoutHeader + Payout("T1", "P1", "w1", 300m) + Payout("T2", "P2", "w2", 300m));
        await using var chromium = await Chromium.LaunchAsync(hub.BaseUrl);
        var page = chromium.Page;
        await chromium.LoginAsync(HubUiUnderTest.AdminPassword);
        const string Type = "type=PAID_WITHOUT_ATTENDANCE";
        await page.GotoAsync("/alerts?" + Type);
        var rows = page.Locator("#alerts tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(2);

        await page.SelectOptionAsync("#f-contractor", "城建集团");
        await page.ClickAsync("#filter");
        await Assertions.Expect(page.Locator("#f-contractor")).ToHaveValueAsync("城建集团");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync("P2");

        // A subcontractor's alerts too: the employer of the worker.
        await page.GotoAsync($"/alerts?{Type}&contractor=" + Uri.EscapeDataString("劳务一"));
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync("P1");

        // Live: an alert of another contractor does not enter the filtered list; one of this contractor does.
        await page.GotoAsync($"/alerts?{Type}&contractor=" + Uri.EscapeDataString("城建集团"));
        await HubUiUnderTest.WaitForLiveAsync(page);
        await hub.ImportAsync("payouts", PayoutHeader + Payout("T3", "P1", "w1", 300m, "2024-05"));
        await hub.ImportAsync("payouts", PayoutHeader + Payout("T4", "P2", "w2", 300m, "2024-06"));
        await Assertions.Expect(page.Locator("#alerts tbody tr", new() { HasText = "2024-06" })).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#alerts tbody tr", new() { HasText = "2024-05" })).ToHaveCountAsync(0);
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await chromium.ScreenshotAsync("hub", "alerts-contractor");

        var csv = await CsvTextAsync(await page.APIRequest.GetAsync(await page.Locator("#csv-alerts").GetAttributeAsync("href") ?? "/missing"));
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.Contains(",P2,城建集团", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_admin_changes_a_projects_tolerance_and_it_shows_in_the_audit_log_and_the_reconciliation()
    {
        await using var hub = await HubUiUnderTest.StartAsync(Token);
        await hub.ImportAsync("projects", Projects);
        await hub.ImportAsync("roster", Roster);
        // w1 came one day in March 2024 (300.00 expected) and was paid 290.00: 3.3% short, beyond the 1% tolerance.
        await hub.PublishAsync("site-a", [HubUiUnderTest.Punch("site-a", 1, "w1", Direction.In, new DateTimeOffset(2024, 3, 4, 8, 0, 0, TimeSpan.FromHours(8)))]);
        await hub.ImportAsync("payouts", PayoutHeader + Payout("T1", "P1", "w1", 290m));
        await using var chromium = await Chromium.LaunchAsync(hub.BaseUrl);
        var page = chromium.Page;
        await chromium.LoginAsync(HubUiUnderTest.AdminPassword);
        var w1 = page.Locator("#rec-P1 tbody tr", new() { HasText = "w1" });
        await page.GotoAsync("/sites/site-a?month=2024-03");
        await Assertions.Expect(w1).ToContainTextAsync("UNDERPAID");

        await page.ClickAsync("#nav-rules");
        var p1 = page.Locator("#thresholds tr[data-key=P1]");
        await Assertions.Expect(p1.Locator("input.tolerance")).ToHaveValueAsync("0.01");

        // A bad value is refused with a message that names it; nothing changes.
        await p1.Locator("input.tolerance").FillAsync("1.5");
        await p1.Locator("input.pay-day").FillAsync("31");
        await p1.Locator("button.save-project").ClickAsync();
        await Assertions.Expect(page.Locator("#rules-errors li[data-field=tolerance]")).ToContainTextAsync("容差必须是 0 到 1 之间");
        await Assertions.Expect(page.Locator("#rules-errors li[data-field=pay_day]")).ToContainTextAsync("1–28");
        await chromium.ScreenshotAsync("hub", "rules-invalid");

        await p1.Locator("input.tolerance").FillAsync("0.05");
        await p1.Locator("input.pay-day").FillAsync("15");
        await p1.Locator("button.save-project").ClickAsync();
        await Assertions.Expect(page.Locator("#rules-saved")).ToContainTextAsync("P1");
        await Assertions.Expect(p1.Locator("input.tolerance")).ToHaveValueAsync("0.05");
        await chromium.ScreenshotAsync("hub", "rules");

        await page.GotoAsync("/audit");
        var entry = page.Locator("#audit tbody tr", new() { HasText = "project-thresholds-changed" });
        await Assertions.Expect(entry).ToHaveCountAsync(1);
        await Assertions.Expect(entry).ToContainTextAsync("admin");
        await Assertions.Expect(entry).ToContainTextAsync("tolerance 0.01");
        await Assertions.Expect(entry).ToContainTextAsync("tolerance 0.05");

        // The live rules follow at once: within 5% the payment is full.
        await page.GotoAsync("/sites/site-a?month=2024-03");
        await Assertions.Expect(w1).ToContainTextAsync("ok");
        await Assertions.Expect(w1).Not.ToContainTextAsync("UNDERPAID");
        await page.GotoAsync("/alerts?type=UNDERPAID&status=active");
        await Assertions.Expect(page.Locator("#alerts tbody tr")).ToHaveCountAsync(0);

        // The global default too: stored, audited.
        await page.GotoAsync("/rules");
        await page.FillAsync("#g-no-attendance-days", "0");
        await page.ClickAsync("#save-global");
        await Assertions.Expect(page.Locator("#rules-errors li[data-field=no_attendance_days]")).ToBeVisibleAsync();
        await page.FillAsync("#g-no-attendance-days", "10");
        await page.ClickAsync("#save-global");
        await Assertions.Expect(page.Locator("#rules-saved")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#g-no-attendance-days")).ToHaveValueAsync("10");
        await page.GotoAsync("/audit");
        await Assertions.Expect(page.Locator("#audit tbody tr", new() { HasText = "rule-settings-changed" })).ToContainTextAsync("no_attendance_days 10");
    }

    [Fact]
    public async Task Viewers_and_officers_get_403_on_the_rules_page()
    {
        await using var hub = await HubUiUnderTest.StartAsync(Token);
        await hub.ImportAsync("projects", Projects);
        await hub.AddUserAsync("viewer1", UiRoles.Viewer);
        await hub.AddUserAsync("officer1", UiRoles.Officer);
        foreach (var user in new[] { "viewer1", "officer1" })
        {
            await using var chromium = await Chromium.LaunchAsync(hub.BaseUrl);
            var page = chromium.Page;
            await chromium.LoginAsync(user + "-password", user);
            await Assertions.Expect(page.Locator("#nav-rules")).ToHaveCountAsync(0);
            var response = await page.GotoAsync("/rules");
            Assert.Equal(403, response!.Status);
            Assert.Equal(403, (await page.APIRequest.GetAsync("/rules?handler=Csv")).Status);
            var form = page.APIRequest.CreateFormData();
            form.Set("projectId", "P1");
            form.Set("tolerance", "0.5");
            form.Set("payDay", "15");
            form.Set("timezone", "Asia/Shanghai");
            Assert.Equal(403, (await page.APIRequest.PostAsync("/rules?handler=Project", new() { Form = form })).Status);
        }

        using var project = await hub.Api.GetAsync("/api/projects/P1", Token);
        Assert.Contains("\"tolerance\":0.01", await project.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_headcount_chart_keeps_the_whole_day_after_a_hub_restart()
    {
        await using var hub = await HubUiUnderTest.StartAsync(Token);
        await hub.ImportAsync("projects", Projects);
        var now = DateTimeOffset.UtcNow;
        var dayStart = HeadcountHistory.StartOfDay(now, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));
        DateTimeOffset At(int minutesAgo) => now.AddMinutes(-minutesAgo) > dayStart ? now.AddMinutes(-minutesAgo) : dayStart.AddSeconds(10 - minutesAgo);
        await hub.PublishAsync("site-a", [
            HubUiUnderTest.Punch("site-a", 1, "w1", Direction.In, At(4)),
            HubUiUnderTest.Punch("site-a", 2, "w2", Direction.In, At(3)),
            HubUiUnderTest.Punch("site-a", 3, "w3", Direction.In, At(2)),
        ]);
        await hub.PublishAsync("site-a", [HubUiUnderTest.Punch("site-a", 4, "w1", Direction.Out, At(1))]);

        await hub.RestartAsync(Token);

        await using var chromium = await Chromium.LaunchAsync(hub.BaseUrl);
        var page = chromium.Page;
        await chromium.LoginAsync(HubUiUnderTest.AdminPassword);
        var card = page.Locator("article.site[data-key='site-a']");
        await Assertions.Expect(card.Locator("[data-f=onSite]")).ToHaveTextAsync("2");
        // The peak of three was before the restart: only the stored punches know it.
        var chart = card.Locator("svg.chart");
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-max", "3");
        await Assertions.Expect(chart.Locator("path.line")).ToHaveCountAsync(1);

        // And the chart still moves live.
        await HubUiUnderTest.WaitForLiveAsync(page);
        await hub.PublishAsync("site-a", [
            HubUiUnderTest.Punch("site-a", 5, "w4", Direction.In, DateTimeOffset.UtcNow),
            HubUiUnderTest.Punch("site-a", 6, "w5", Direction.In, DateTimeOffset.UtcNow),
        ]);
        await Assertions.Expect(card.Locator("[data-f=onSite]")).ToHaveTextAsync("4");
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-max", "4");
        await chromium.ScreenshotAsync("hub", "overview-after-restart");
    }
}
