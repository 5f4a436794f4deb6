using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using SiteHub.Gateway.Commands;
using SiteHub.Gateway.Configuration;
using SiteHub.Gateway.Devices;
using SiteHub.Gateway.Enrolment;
using SiteHub.Platform.Web;

namespace SiteHub.Gateway.WebUi.Pages;

/// <summary>One device: its credentials (once), the settings for its own menu, commands with live state, edit and remove.</summary>
public sealed class DeviceModel(
    DeviceRegistry registry,
    CommandQueue commands,
    RosterStore roster,
    EnrolmentReconciler enrolment,
    WebUserStore accounts,
    IOptions<SiteBrokerOptions> broker,
    IOptions<WebUiOptions> ui,
    IStringLocalizer<UiText> text) : PageModel
{
    public const string SecretKey = "device-secret";
    public const string ReEnrol = "re-enrol";

    public static readonly IReadOnlyList<(string Op, string Label)> Buttons =
        [(CommandOps.Open, "OpenGate"), (CommandOps.Reboot, "Reboot"), (CommandOps.SyncTime, "SyncTime"), (ReEnrol, "ReEnrol")];

    public DeviceRecord Device { get; private set; } = new();

    public DeviceView View => DeviceView.From(Device);

    public IReadOnlyList<TerminalSetting> Settings { get; private set; } = [];

    /// <summary>A new secret, shown on this one response only (TempData is removed once read).</summary>
    public string? Secret { get; private set; }

    public string? Message { get; private set; }

    public List<string> Errors { get; } = [];

    public IActionResult OnGet(string sn)
    {
        if (!Load(sn))
        {
            return NotFound();
        }

        Secret = TempData[SecretKey] as string;
        Message = TempData["message"] as string;
        return Page();
    }

    public IActionResult OnPostCommand(string sn, string? op)
    {
        if (!Load(sn))
        {
            return NotFound();
        }

        if (op == ReEnrol)
        {
            // Forgets what the terminal confirmed, so the next enrolment round sends the whole roster again.
            foreach (var person in roster.Enrolled(sn).Keys)
            {
                roster.SetEnrolled(sn, person, null);
            }

            enrolment.Wake();
        }
        else if (CommandOps.Problem(op, null) is null && op is CommandOps.Open or CommandOps.Reboot or CommandOps.SyncTime)
        {
            commands.Enqueue(sn, op, null, "web");
        }
        else
        {
            return BadRequest();
        }

        Audit("command", $"{sn}: {op}");
        TempData["message"] = text["CommandQueued"].Value + ": " + op;
        return Redirect(PagePath(sn));
    }

    public IActionResult OnPostEdit(string sn, string? protocol, string? gate, string? direction, string? timeZone, string? deviceUrl)
    {
        if (!Load(sn))
        {
            return NotFound();
        }

        var body = new DeviceRegistration(sn, null, protocol, Blank(gate), direction, Blank(timeZone), Blank(deviceUrl));
        var errors = DevicesFeature.Validate(body, out var dir, out var offset);
        if (errors.Count > 0)
        {
            Errors.AddRange(errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"));
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        registry.Edit(sn, body.Protocol ?? Device.Protocol, body.Gate, dir, offset, body.DeviceUrl);
        Audit("device-edited", $"{sn}: protocol {body.Protocol}, gate {body.Gate}, {direction}, offset {body.TimeZone}, url {body.DeviceUrl}");
        return Redirect(PagePath(sn));
    }

    public IActionResult OnPostSecret(string sn)
    {
        var secret = DeviceRegistry.NewSecret();
        if (registry.ResetSecret(sn, secret) is null)
        {
            return NotFound();
        }

        Audit("device-secret-reset", sn);
        TempData[SecretKey] = secret;
        return Redirect(PagePath(sn));
    }

    public IActionResult OnPostRemove(string sn)
    {
        if (registry.Remove(sn))
        {
            Audit("device-removed", sn);
        }

        return Redirect("/");
    }

    private bool Load(string sn)
    {
        if (registry.Find(sn) is not { } device)
        {
            return false;
        }

        Device = device;
        var host = ui.Value.AdvertisedHost ?? Request.Host.Host;
        var httpPort = Request.Host.Port ?? HttpContext.Connection.LocalPort;
        Settings = TerminalSettings.For(device.Protocol, device.Sn, host, httpPort, broker.Value.Port);
        return true;
    }

    private void Audit(string action, string detail) =>
        accounts.Record(HttpContext.UserName(), action, detail, HttpContext.Remote());

    private static string PagePath(string sn) => "/devices/" + Uri.EscapeDataString(sn);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
