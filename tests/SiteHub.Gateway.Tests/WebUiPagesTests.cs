using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using LiteDB;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SiteHub.Gateway.Devices;
using SiteHub.Gateway.Outbox;
using SiteHub.Gateway.WebUi;
using SiteHub.Gateway.WebUi.Pages;
using SiteHub.Platform.Web;
using SiteHub.Protocols.Punches;

namespace SiteHub.Gateway.Tests;

/// <summary>The gateway's pages as rendered (pure: no host, no I/O), in the real UI text.</summary>
public sealed partial class WebUiPagesTests
{
    private const string Nasty = "<script>alert(\"x\")</script>&'";
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 8, 0, 0, TimeSpan.FromHours(8));

    private static readonly IStringLocalizer Text = new ResourceManagerStringLocalizerFactory(
        Options.Create(new LocalizationOptions()), NullLoggerFactory.Instance).Create(typeof(UiText));

    private static PageFrame Frame(string? user = "admin", bool english = false) =>
        new(Text, english, user, "/x?y=<z>", "__RequestVerificationToken", "token-value");

    private static readonly DeviceRecord Device = new() { Sn = "ZK-" + Nasty, Protocol = "zk-adms", Gate = "gate\"><b>", Direction = Direction.Out, DeviceUrl = Nasty };

    private static readonly QuarantinedPayload Quarantined = new()
    {
        Id = ObjectId.NewObjectId(), At = T0, DeviceSn = "FACE-" + Nasty, Source = Nasty, Protocol = "zk-adms", Reason = "bad " + Nasty,
        Raw = Encoding.UTF8.GetBytes("W<b>7</b>"), Size = 8,
    };

    private static IEnumerable<string> AllPages(PageFrame frame) =>
    [
        IndexPage.Render(frame, ["sn: " + Nasty]),
        DevicePage.Render(frame, Device, [new TerminalSetting("SettingUrl", Nasty)], new Flash(Nasty, Nasty), ["gate: " + Nasty]),
        RosterPage.Render(frame, [new RosterRow("W1****89", Nasty, ["ZK-" + Nasty], [Nasty])]),
        QuarantinePage.Render(frame, [Quarantined], Nasty),
        AuditPage.Render(frame, [new AuditEntry { At = T0, User = Nasty, Action = "login", Detail = Nasty, Remote = Nasty }]),
        LoginPage.Render(frame, "WrongPassword", Nasty),
    ];

    [Fact]
    public void What_users_and_devices_send_is_shown_as_text_never_as_markup()
    {
        foreach (var html in AllPages(Frame(user: Nasty)))
        {
            Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        }

        var quarantine = QuarantinePage.Render(Frame(), [Quarantined], null);
        Assert.Contains("<pre>W&lt;b&gt;7&lt;/b&gt;</pre>", quarantine, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#x27;", quarantine, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_post_form_carries_the_antiforgery_token()
    {
        foreach (var html in AllPages(Frame()))
        {
            var forms = PostForm().Matches(html);
            Assert.NotEmpty(forms);
            Assert.All(forms, form => Assert.Contains("""<input name="__RequestVerificationToken" type="hidden" value="token-value" />""", form.Value, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Pages_are_in_Chinese_by_default_and_in_English_once_chosen()
    {
        var before = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = WebUiBasics.Cultures[0];
            var chinese = AuditPage.Render(Frame(), []);
            Assert.Contains("""<html lang="zh-CN">""", chinese, StringComparison.Ordinal);
            Assert.Contains("<h1>审计日志</h1>", chinese, StringComparison.Ordinal);
            Assert.Contains(""" id="language">English</button>""", chinese, StringComparison.Ordinal);

            CultureInfo.CurrentUICulture = new CultureInfo("en");
            var english = AuditPage.Render(Frame(english: true), []);
            Assert.Contains("""<html lang="en">""", english, StringComparison.Ordinal);
            Assert.Contains("<h1>Audit log</h1>", english, StringComparison.Ordinal);
            Assert.Contains(""" id="language">中文</button>""", english, StringComparison.Ordinal);
            Assert.Contains("""<input type="hidden" name="returnUrl" value="/x?y=&lt;z&gt;" />""", english, StringComparison.Ordinal);
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }

    [Fact]
    public void Before_login_the_page_has_neither_navigation_nor_logout()
    {
        var login = LoginPage.Render(Frame(user: null), null, null);
        Assert.DoesNotContain("<nav>", login, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"logout\"", login, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"login-error\"", login, StringComparison.Ordinal);
        Assert.Contains("id=\"language\"", login, StringComparison.Ordinal);

        var signedIn = AuditPage.Render(Frame(user: "site-admin"), []);
        Assert.Contains("<nav>", signedIn, StringComparison.Ordinal);
        Assert.Contains("(site-admin)</button>", signedIn, StringComparison.Ordinal);
    }

    [Fact]
    public void The_device_page_shows_the_stored_settings_selected_and_a_new_secret_only_when_given()
    {
        var device = Device with { Sn = "ZK-1", Gate = null, DeviceUrl = null, UtcOffsetMinutes = 480 };
        var withSecret = DevicePage.Render(Frame(), device, [], new Flash(null, "s3cret"), []);
        Assert.Contains("""<code id="secret">s3cret</code>""", withSecret, StringComparison.Ordinal);
        Assert.Contains("""<option value="zk-adms" selected="selected">""", withSecret, StringComparison.Ordinal);
        Assert.Contains("""<option value="out" selected="selected">""", withSecret, StringComparison.Ordinal);
        // '+' is encoded too (as Razor's encoder did); the browser shows "+08:00".
        Assert.Contains("""<input name="timeZone" value="&#x2B;08:00" """, withSecret, StringComparison.Ordinal);
        Assert.Contains("""<input name="gate" maxlength="64" />""", withSecret, StringComparison.Ordinal);
        Assert.Contains("""action="/devices/ZK-1?handler=command""", withSecret, StringComparison.Ordinal);

        var without = DevicePage.Render(Frame(), device, [], Flash.None, []);
        Assert.DoesNotContain("id=\"secret\"", without, StringComparison.Ordinal);
        Assert.DoesNotContain("class=\"error\"", without, StringComparison.Ordinal);
    }

    [GeneratedRegex("""<form method="post".*?</form>""", RegexOptions.Singleline)]
    private static partial Regex PostForm();
}
