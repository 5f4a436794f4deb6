using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SiteHub.Gateway.Decode;
using SiteHub.Gateway.Devices;
using SiteHub.Platform.Web;

namespace SiteHub.Gateway.WebUi.Pages;

/// <summary>The devices page: every device live, pending devices to approve or reject, adding a device.</summary>
public sealed class IndexModel(DeviceRegistry registry, WebUserStore accounts) : PageModel
{
    public static IReadOnlyList<string> Protocols => PayloadDecoder.Protocols;

    public List<string> Errors { get; } = [];

    public void OnGet()
    {
    }

    /// <summary>Registers a pending device with a new secret, shown once on its page.</summary>
    public IActionResult OnPostApprove(string? sn, string? protocol, string? gate, string? direction) =>
        Register(new DeviceRegistration(sn, null, protocol, string.IsNullOrWhiteSpace(gate) ? null : gate.Trim(), direction), "device-approved");

    public IActionResult OnPostReject(string? sn)
    {
        if (!string.IsNullOrEmpty(sn) && registry.RejectPending(sn))
        {
            accounts.Record(HttpContext.UserName(), "device-rejected", sn, HttpContext.Remote());
        }

        return Redirect("/");
    }

    public IActionResult OnPostAdd(string? sn, string? protocol, string? gate, string? direction, string? timeZone, string? deviceUrl) =>
        Register(
            new DeviceRegistration(sn?.Trim(), null, protocol, Blank(gate), direction, Blank(timeZone), Blank(deviceUrl)),
            "device-added");

    private IActionResult Register(DeviceRegistration body, string action)
    {
        var errors = DevicesFeature.Validate(body, out var direction, out var offset);
        if (errors.Count == 0 && action == "device-added" && registry.Find(body.Sn!) is not null)
        {
            errors["sn"] = ["already registered"];
        }

        if (errors.Count > 0)
        {
            Errors.AddRange(errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"));
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        var secret = DeviceRegistry.NewSecret();
        var device = registry.Register(body.Sn!, secret, body.Protocol ?? PayloadDecoder.Protocols[0], body.Gate, direction, offset, body.DeviceUrl);
        accounts.Record(HttpContext.UserName(), action, $"{device.Sn} ({device.Protocol}, gate {device.Gate}, {body.Direction ?? "unknown"})", HttpContext.Remote());
        TempData[DeviceModel.SecretKey] = secret;
        return Redirect("/devices/" + Uri.EscapeDataString(device.Sn));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
