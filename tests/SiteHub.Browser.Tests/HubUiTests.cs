using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SiteHub.Hub;
using SiteHub.Hub.WebUi;
using SiteHub.Platform.Web;
using SiteHub.Protocols;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.Uplink;
using SiteHub.Testing;

namespace SiteHub.Browser.Tests;

/// <summary>The hub's web UI in Debian's Chromium, against a real in-process hub fed as a gateway feeds it (MQTT) and as staff feed it (CSV).</summary>
public sealed class HubUiTests
{
    private const string Projects = "project_id,name,site_id,contractor,wage_account,pay_day,timezone,tolerance\nP1,一号楼,site-a,中建三局,6222000000000001,15,Asia/Shanghai,0.01\n";
    private const string Roster = "worker_id,name,id_number,project_id,employer,team,bank_account,wage_type,wage_rate,start_date,end_date\nw1,张三,11010519491231002X,P1,劳务,木工,6222021234561234,day,300.00,2024-01-01,\n";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_wrong_password_is_refused_and_the_right_one_opens_the_overview()
    {
        await using var hub = await HubUiUnderTest.StartAsync(Token);
        await using var chromium = await Chromium.LaunchAsync(hub.BaseUrl);
        var page = chromium.Page;

        await page.GotoAsync("/");
        Assert.Contains("/login", page.Url, StringComparison.Ordinal);
        await page.FillAsync("#password", "not-the-password");
        await page.ClickAsync("#login-submit");
        await Assertions.Expect(page.Locator("#login-error")).ToHaveTextAsync("用户名或密码错误");
        await chromium.ScreenshotAsync("hub", "login-refused");

        await page.FillAsync("#password", HubUiUnderTest.AdminPassword);
        await page.ClickAsync("#login-submit");
        await Assertions.Expect(page.Locator("h1").First).ToContainTextAsync("总览");

        await page.GotoAsync("/audit");
        await Assertions.Expect(page.Locator("#audit")).ToContainTextAsync("login-failed");
        await chromium.ScreenshotAsync("hub", "audit");

        // Scripts keep HTTP Basic on the REST API.
        using var response = await hub.Api.GetAsync("/api/sites", Token);
        Assert.True(response.IsSuccessStatusCode);
    }

    [Fact]
    public async Task Headcount_on_the_overview_changes_without_reload_when_workers_enter()
    {
        await using var hub = await HubUiUnderTest.StartAsync(Token);
        await using var chromium = await Chromium.LaunchAsync(hub.BaseUrl);
        var page = chromium.Page;
        await hub.ImportAsync("projects", Projects);
        await chromium.LoginAsync(HubUiUnderTest.AdminPassword);
        var card = page.Locator("article.site[data-key='site-a']");
        await Assertions.Expect(card.Locator("[data-f=onSite]")).ToHaveTextAsync("0");
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");

        var now = DateTimeOffset.UtcNow;
        await hub.PublishAsync("site-a", [
            HubUiUnderTest.Punch("site-a", 1, "w1", Direction.In, now.AddMinutes(-3)),
            HubUiUnderTest.Punch("site-a", 2, "w2", Direction.In, now.AddMinutes(-2)),
            HubUiUnderTest.Punch("site-a", 3, "w3", Direction.In, now.AddMinutes(-1)),
        ]);

        await Assertions.Expect(card.Locator("[data-f=onSite]")).ToHaveTextAsync("3");
        await Assertions.Expect(card.Locator("svg.chart path.line")).ToHaveCountAsync(1);
        await Assertions.Expect(card.Locator("[data-f=gateway]")).ToHaveTextAsync("在线");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page was not reloaded");
        await chromium.ScreenshotAsync("hub", "overview");

        await hub.PublishAsync("site-a", [HubUiUnderTest.Punch("site-a", 4, "w1", Direction.Out, now)]);
        await Assertions.Expect(card.Locator("[data-f=onSite]")).ToHaveTextAsync("2");

        // The site's page: who is on site (masked ids), the punches and the month's table with its CSV.
        await hub.ImportAsync("roster", Roster);
        await card.Locator("a[data-f=siteId]").ClickAsync();
        await Assertions.Expect(page.Locator("#site-onsite")).ToHaveTextAsync("2");
        await Assertions.Expect(page.Locator("#people tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#punches tbody tr")).ToHaveCountAsync(4);
        await Assertions.Expect(page.Locator("#rec-P1")).ToContainTextAsync("张三");
        await chromium.ScreenshotAsync("hub", "site");
        var csv = await page.APIRequest.GetAsync(await page.Locator("#csv-P1").GetAttributeAsync("href") ?? "/missing");
        Assert.Equal(200, csv.Status);
        Assert.Contains("worker_id,name,days,expected,paid,status", await csv.TextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_alert_appears_live_after_a_payout_import_and_an_officer_resolves_it()
    {
        await using var hub = await HubUiUnderTest.StartAsync(Token);
        await hub.ImportAsync("projects", Projects);
        await hub.ImportAsync("roster", Roster);
        await hub.AddUserAsync("officer1", UiRoles.Officer);
        await using var chromium = await Chromium.LaunchAsync(hub.BaseUrl);
        var page = chromium.Page;
        await chromium.LoginAsync("officer1-password", "officer1");
        await page.GotoAsync("/alerts");
        await Assertions.Expect(page.Locator("#alerts")).ToBeVisibleAsync();
        await HubUiUnderTest.WaitForLiveAsync(page);

        // Paid, but the worker never came: PAID_WITHOUT_ATTENDANCE, on the open page.
        await hub.ImportAsync("payouts", "txn_id,payer_account,payee_name,payee_id_number,payee_account,amount,wage_month,paid_at,status\nT1,6222000000000001,张三,11010519491231002X,6222021234561234,300.00,2024-03,2024-04-10,SUCCESS\n");
        var row = page.Locator("#alerts tbody tr", new() { HasText = "PAID_WITHOUT_ATTENDANCE" });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await chromium.ScreenshotAsync("hub", "alerts");

        await row.Locator("a").First.ClickAsync();
        await Assertions.Expect(page.Locator("#fig-paid")).ToHaveTextAsync("300.00");
        await Assertions.Expect(page.Locator("#payouts")).ToContainTextAsync("T1");
        await Assertions.Expect(page.Locator("#payouts")).Not.ToContainTextAsync("11010519491231002X");
        await chromium.ScreenshotAsync("hub", "alert");
        await page.ClickAsync("#worker-link");
        await Assertions.Expect(page.Locator("#calendar td[data-date='2024-03-01']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#payouts")).ToContainTextAsync("T1");
        await Assertions.Expect(page.Locator("#worker-alerts")).ToContainTextAsync("PAID_WITHOUT_ATTENDANCE");
        await chromium.ScreenshotAsync("hub", "worker");
        await page.GoBackAsync();
        await page.FillAsync("#comment", "工资已核实");
        await page.ClickAsync("#resolve");
        await Assertions.Expect(page.Locator("#alert-status")).ToHaveTextAsync("已解决");
        await Assertions.Expect(page.Locator("#history")).ToContainTextAsync("工资已核实");
        await Assertions.Expect(page.Locator("#history")).ToContainTextAsync("officer1");

        await page.GotoAsync("/audit");
        await Assertions.Expect(page.Locator("#audit")).ToContainTextAsync("alert-resolved");

        // The contractors' credit, with the reasons.
        await page.GotoAsync("/contractors");
        await Assertions.Expect(page.Locator("#contractors")).ToContainTextAsync("中建三局");
        await Assertions.Expect(page.Locator("#contractors")).ToContainTextAsync("PAID_WITHOUT_ATTENDANCE");
        await chromium.ScreenshotAsync("hub", "contractors");
    }

    [Fact]
    public async Task An_import_with_bad_rows_shows_the_rows()
    {
        await using var hub = await HubUiUnderTest.StartAsync(Token);
        await using var chromium = await Chromium.LaunchAsync(hub.BaseUrl);
        var page = chromium.Page;
        await chromium.LoginAsync(HubUiUnderTest.AdminPassword);
        await page.GotoAsync("/imports");

        await page.SelectOptionAsync("#kind", "projects");
        await page.SetInputFilesAsync("#file", new FilePayload
        {
            Name = "projects-bad.csv",
            MimeType = "text/csv",
            Buffer = Encoding.UTF8.GetBytes(Projects + "P2,Bad,site-b,X,12,40,Nowhere/City,2\n"),
        });
        await page.ClickAsync("#import");

        await Assertions.Expect(page.Locator("#import-result")).ToContainTextAsync("已导入 1 行");
        var errors = page.Locator("#import-errors tbody tr");
        await Assertions.Expect(errors).ToHaveCountAsync(4);
        await Assertions.Expect(page.Locator("#import-errors")).ToContainTextAsync("pay_day");
        await Assertions.Expect(page.Locator("#import-errors")).ToContainTextAsync("projects-bad.csv");
        await Assertions.Expect(page.Locator("#history tbody tr")).ToHaveCountAsync(1);
        await chromium.ScreenshotAsync("hub", "imports");
    }

    [Fact]
    public async Task A_viewer_sees_no_buttons_and_cannot_resolve()
    {
        await using var hub = await HubUiUnderTest.StartAsync(Token);
        await hub.ImportAsync("projects", Projects);
        await hub.ImportAsync("roster", Roster);
        await hub.ImportAsync("payouts", "txn_id,payer_account,payee_name,payee_id_number,payee_account,amount,wage_month,paid_at,status\nT1,6222000000000001,张三,11010519491231002X,6222021234561234,300.00,2024-03,2024-04-10,SUCCESS\n");
        await hub.AddUserAsync("viewer1", UiRoles.Viewer);
        await using var chromium = await Chromium.LaunchAsync(hub.BaseUrl);
        var page = chromium.Page;
        await chromium.LoginAsync("viewer1-password", "viewer1");
        await page.GotoAsync("/alerts");
        var link = page.Locator("#alerts tbody tr a").First;
        await Assertions.Expect(link).ToBeVisibleAsync();
        var href = await link.GetAttributeAsync("href");
        await link.ClickAsync();
        await Assertions.Expect(page.Locator("#figures")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#resolve")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#acknowledge")).ToHaveCountAsync(0);
        await chromium.ScreenshotAsync("hub", "alert-viewer");

        // The POST itself, with a valid antiforgery token from an officer-shaped form: refused.
        var token = await page.EvaluateAsync<string>("() => document.querySelector('input[name=__RequestVerificationToken]')?.value ?? ''");
        var response = await page.APIRequest.PostAsync(href + "?handler=Resolve", new() { Form = MakeForm(page, token) });
        Assert.Equal(403, response.Status);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#alert-status")).Not.ToHaveTextAsync("已解决");
        await page.GotoAsync("/imports");
        await Assertions.Expect(page.Locator("#import")).ToHaveCountAsync(0);
        var users = await page.APIRequest.GetAsync("/users");
        Assert.Equal(403, users.Status);
    }

    private static IFormData MakeForm(IPage page, string token)
    {
        var form = page.APIRequest.CreateFormData();
        form.Set("comment", "viewer tries");
        form.Set("__RequestVerificationToken", token);
        return form;
    }
}

/// <summary>A real hub (embedded central broker, LiteDB in a temp folder) in the test process, for the browser to visit.</summary>
public sealed class HubUiUnderTest : IAsyncDisposable
{
    public const string AdminPassword = "hub-ui-admin-pw";
    public const string GatewayPassword = "gateway-pw-a";
    private readonly TempFolder _folder;
    private readonly ConcurrentBag<BatchAck> _acks = [];
    private IMqttClient? _gateway;
    private string? _gatewaySite;
    private long _batch;

    private HubUiUnderTest(WebApplication app, TempFolder folder, int httpPort, int brokerPort)
    {
        App = app;
        _folder = folder;
        HttpPort = httpPort;
        BrokerPort = brokerPort;
        BaseUrl = $"http://127.0.0.1:{httpPort}";
        Api = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + AdminPassword)));
    }

    public WebApplication App { get; private set; }

    public string BaseUrl { get; }

    public int HttpPort { get; }

    public int BrokerPort { get; }

    public HttpClient Api { get; }

    public static async Task<HubUiUnderTest> StartAsync(CancellationToken cancellationToken)
    {
        var folder = new TempFolder("hub-ui");
        var httpPort = TestEnvironment.FreePort();
        var brokerPort = TestEnvironment.FreePort();
        var app = await StartAppAsync(folder, httpPort, brokerPort, cancellationToken);
        return new HubUiUnderTest(app, folder, httpPort, brokerPort);
    }

    private static async Task<WebApplication> StartAppAsync(TempFolder folder, int httpPort, int brokerPort, CancellationToken cancellationToken)
    {
        var app = HubApp.Build(
        [
            "--urls", $"http://127.0.0.1:{httpPort}",
            $"--Hub:DataPath={folder.Path}",
            $"--CentralBroker:Port={brokerPort}",
            $"--Admin:Password={AdminPassword}",
            $"--Gateways:site-a:Password={GatewayPassword}",
            "--Serilog:MinimumLevel:Default=Warning",
        ]);
        await app.StartAsync(cancellationToken);
        return app;
    }

    /// <summary>Stops the hub and starts it again on the same data folder and ports, as after a crash or an update.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        _gateway?.Dispose();
        _gateway = null;
        await App.StopAsync(cancellationToken);
        await App.DisposeAsync();
        App = await StartAppAsync(_folder, HttpPort, BrokerPort, cancellationToken);
    }

    /// <summary>Waits until the page's live stream is open (the page marks it), so that what changes next reaches it.</summary>
    public static Task WaitForLiveAsync(IPage page) =>
        Assertions.Expect(page.Locator("body[data-live=connected]")).ToHaveCountAsync(1);

    /// <summary>POSTs a CSV file to the REST API, as a script would.</summary>
    public async Task ImportAsync(string kind, string csv)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var response = await Api.PostAsync($"/api/imports/{kind}", content, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Adds a web user whose password is <c>{name}-password</c>.</summary>
    public Task AddUserAsync(string name, string role)
    {
        App.Services.GetRequiredService<WebUserStore>().Save(name, role, name + "-password", "test", null);
        return Task.CompletedTask;
    }

    public static Punch Punch(string siteId, long seq, string person, Direction direction, DateTimeOffset at) =>
        new DevicePunch("T-1", seq, person, at, direction, VerifyMode.Face).ToPunch(siteId, "gate-1", direction, at, "sitehub-v1");

    /// <summary>Publishes punches as the site's gateway (which stays connected, as a gateway does) and waits for the hub's ack.</summary>
    public async Task PublishAsync(string siteId, IReadOnlyList<Punch> punches)
    {
        var token = TestContext.Current.CancellationToken;
        if (_gateway is not null && _gatewaySite != siteId)
        {
            _gateway.Dispose();
            _gateway = null;
        }

        if (_gateway is null)
        {
            _gatewaySite = siteId;
            _gateway = new MqttClientFactory().CreateMqttClient();
            await _gateway.ConnectAsync(
                new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", BrokerPort).WithClientId("gateway-" + siteId).WithCredentials(siteId, GatewayPassword).Build(), token);
            _gateway.ApplicationMessageReceivedAsync += e =>
            {
                _acks.Add(JsonSerializer.Deserialize(e.ApplicationMessage.Payload.First.Span, ProtocolsJsonContext.Default.BatchAck)!);
                return Task.CompletedTask;
            };
            await _gateway.SubscribeAsync(UplinkTopics.Acks(siteId), MqttQualityOfServiceLevel.AtLeastOnce, token);
        }

        var batchId = $"{siteId}-ui-{Interlocked.Increment(ref _batch)}";
        var batch = new PunchBatch(siteId, batchId, punches);
        await _gateway.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(UplinkTopics.Punches(siteId))
            .WithPayload(JsonSerializer.SerializeToUtf8Bytes(batch, ProtocolsJsonContext.Default.PunchBatch))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), token);
        await TestEnvironment.WaitUntilAsync(() => _acks.Any(a => a.BatchId == batchId), TimeSpan.FromSeconds(30), "the hub's ack", token);
    }

    public async ValueTask DisposeAsync()
    {
        _gateway?.Dispose();
        Api.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        _folder.Dispose();
    }
}
