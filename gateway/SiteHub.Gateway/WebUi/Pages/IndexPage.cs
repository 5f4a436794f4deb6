using SiteHub.Gateway.Decode;
using SiteHub.Gateway.Devices;
using SiteHub.Platform.Web;

namespace SiteHub.Gateway.WebUi.Pages;

/// <summary>The devices page: every device live, pending devices to approve or reject, adding a device.</summary>
public static class IndexPage
{
    /// <param name="frame">The request's text, language, user and token.</param>
    /// <param name="errors">What was wrong with the device just added or approved.</param>
    public static string Render(PageFrame frame, IReadOnlyList<string> errors)
    {
        var protocols = Html.Options(PayloadDecoder.Protocols);
        var directions = $"""<option value="in">{frame.T("In")}</option><option value="out">{frame.T("Out")}</option><option value="unknown">{frame.T("Unknown")}</option>""";
        return Layout.Render(frame, frame.Text["Devices"].Value, "devices", $"""
            <div class="grid">
            <section class="card wide">
                <h1>{frame.T("Devices")} <span class="live">● {frame.T("Live")}</span></h1>
                <div class="scroll">
                <table id="devices" data-online="{frame.T("Online")}" data-offline="{frame.T("Offline")}" data-in="{frame.T("In")}" data-out="{frame.T("Out")}" data-unknown="{frame.T("Unknown")}">
                    <thead><tr>
                        <th>{frame.T("Status")}</th><th>{frame.T("Serial")}</th><th>{frame.T("Protocol")}</th><th>{frame.T("Gate")}</th><th>{frame.T("Direction")}</th><th>{frame.T("LastSeen")}</th>
                        <th>{frame.T("ClockSkew")}</th><th>{frame.T("Cached")}</th><th>{frame.T("EnrolledVsRoster")}</th><th>{frame.T("Firmware")}</th>
                    </tr></thead>
                    <tbody></tbody>
                </table>
                </div>
                <template id="device-row">
                    <tr><td><span class="state" data-f="state"></span></td><td><a data-f="sn"></a></td><td data-f="protocol"></td><td data-f="gate"></td><td data-f="direction"></td>
                        <td data-f="lastSeen"></td><td data-f="clockSkewSeconds"></td><td data-f="cached"></td><td data-f="enrolled"></td><td data-f="firmware"></td></tr>
                </template>
            </section>

            <section class="card" id="uplink-panel">
                <h2>{frame.T("Uplink")}</h2>
                <dl>
                    <dt>{frame.T("Status")}</dt><dd><span class="state" id="uplink-state" data-on="{frame.T("Connected")}" data-off="{frame.T("Disconnected")}"></span></dd>
                    <dt>{frame.T("Backlog")}</dt><dd id="uplink-backlog"></dd>
                    <dt>{frame.T("OldestUnsent")}</dt><dd id="uplink-oldest"></dd>
                    <dt>{frame.T("LastAck")}</dt><dd id="uplink-lastack"></dd>
                    <dt>{frame.T("Throughput")}</dt><dd id="uplink-rate"></dd>
                </dl>
                <p class="muted" id="uplink-error"></p>
            </section>

            <section class="card" id="pending-panel">
                <h2>{frame.T("Pending")}</h2>
                <p class="muted">{frame.T("PendingHint")}</p>
                <div class="scroll">
                <table id="pending">
                    <thead><tr><th>{frame.T("Serial")}</th><th>{frame.T("FirstSeen")}</th><th>{frame.T("Attempts")}</th><th>{frame.T("Address")}</th><th></th></tr></thead>
                    <tbody></tbody>
                </table>
                </div>
                <template id="pending-row">
                    <tr><td data-f="sn"></td><td data-f="firstSeen"></td><td data-f="attempts"></td><td data-f="remoteAddress"></td>
                        <td>
                            <form method="post" action="/?handler=approve" class="row-form">
                                {frame.AntiforgeryField}
                                <input type="hidden" name="sn" />
                                <select name="protocol">{protocols}</select>
                                <input name="gate" placeholder="{frame.T("Gate")}" size="8" />
                                <select name="direction">{directions}</select>
                                <button type="submit" class="approve">{frame.T("Approve")}</button>
                            </form>
                            <form method="post" action="/?handler=reject" class="row-form">
                                {frame.AntiforgeryField}
                                <input type="hidden" name="sn" />
                                <button type="submit" class="danger reject">{frame.T("Reject")}</button>
                            </form>
                        </td></tr>
                </template>
            </section>

            <section class="card" id="add-device">
                <h2>{frame.T("AddDevice")}</h2>
                {Html.Errors(errors)}
                <form method="post" action="/?handler=add" class="stack">
                    <label>{frame.T("Serial")} <input name="sn" required maxlength="64" /></label>
                    <label>{frame.T("Protocol")} <select name="protocol">{protocols}</select></label>
                    <label>{frame.T("Gate")} <input name="gate" maxlength="64" /></label>
                    <label>{frame.T("Direction")} <select name="direction">{directions}</select></label>
                    <label>{frame.T("TimeZone")} <input name="timeZone" placeholder="+08:00" /></label>
                    <label>{frame.T("DeviceUrl")} <input name="deviceUrl" placeholder="http://192.168.1.64" /></label>
                    <button type="submit">{frame.T("Add")}</button>
                    {frame.AntiforgeryField}
                </form>
            </section>

            <section class="card wide">
                <h2>{frame.T("RecentPunches")} <span class="live">● {frame.T("Live")}</span></h2>
                <div class="scroll">
                <table id="punches">
                    <thead><tr><th>{frame.T("Time")}</th><th>{frame.T("Device")}</th><th>{frame.T("Gate")}</th><th>{frame.T("Direction")}</th><th>{frame.T("Person")}</th><th>{frame.T("Name")}</th><th>{frame.T("Mode")}</th></tr></thead>
                    <tbody></tbody>
                </table>
                </div>
                <template id="punch-row">
                    <tr><td data-f="occurredAt"></td><td data-f="deviceSn"></td><td data-f="gate"></td><td data-f="direction"></td><td data-f="person"></td><td data-f="name"></td><td data-f="mode"></td></tr>
                </template>
            </section>
            </div>
            """);
    }

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPage("/", context => PageEndpoints.HtmlAsync(context, Render(PageEndpoints.Frame(context), [])));
        app.MapForm("/", (context, form) => form.Handler switch
        {
            "add" => RegisterAsync(context, new DeviceRegistration(
                form["sn"]?.Trim(), null, form["protocol"], PageEndpoints.Blank(form["gate"]), form["direction"], PageEndpoints.Blank(form["timeZone"]), PageEndpoints.Blank(form["deviceUrl"])), "device-added"),
            // A pending device registered with a new secret, shown once on its page.
            "approve" => RegisterAsync(context, new DeviceRegistration(form["sn"], null, form["protocol"], PageEndpoints.Blank(form["gate"]), form["direction"]), "device-approved"),
            "reject" => RejectAsync(context, form["sn"]),
            _ => PageEndpoints.StatusAsync(context, StatusCodes.Status404NotFound),
        });
    }

    private static Task RejectAsync(HttpContext context, string? sn)
    {
        if (!string.IsNullOrEmpty(sn) && context.RequestServices.GetRequiredService<DeviceRegistry>().RejectPending(sn))
        {
            context.RequestServices.GetRequiredService<WebUserStore>().Record(context.UserName(), "device-rejected", sn, context.Remote());
        }

        return PageEndpoints.RedirectAsync(context, "/");
    }

    private static Task RegisterAsync(HttpContext context, DeviceRegistration body, string action)
    {
        var registry = context.RequestServices.GetRequiredService<DeviceRegistry>();
        var errors = DevicesFeature.Validate(body, out var direction, out var offset);
        if (errors.Count == 0 && action == "device-added" && registry.Find(body.Sn!) is not null)
        {
            errors["sn"] = ["already registered"];
        }

        if (errors.Count > 0)
        {
            return PageEndpoints.HtmlAsync(
                context, Render(PageEndpoints.Frame(context), [.. errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")]), StatusCodes.Status400BadRequest);
        }

        var secret = DeviceRegistry.NewSecret();
        var device = registry.Register(body.Sn!, secret, body.Protocol ?? PayloadDecoder.Protocols[0], body.Gate, direction, offset, body.DeviceUrl);
        context.RequestServices.GetRequiredService<WebUserStore>().Record(
            context.UserName(), action, $"{device.Sn} ({device.Protocol}, gate {device.Gate}, {body.Direction ?? "unknown"})", context.Remote());
        new Flash(null, secret).Keep(context);
        return PageEndpoints.RedirectAsync(context, DevicePage.PathOf(device.Sn));
    }
}
