using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using SiteHub.Gateway.Commands;
using SiteHub.Gateway.Configuration;
using SiteHub.Gateway.Decode;
using SiteHub.Gateway.Devices;
using SiteHub.Gateway.Enrolment;
using SiteHub.Platform.Web;

namespace SiteHub.Gateway.WebUi.Pages;

/// <summary>One device: its credentials (once), the settings for its own menu, commands with live state, edit and remove.</summary>
public static class DevicePage
{
    public const string ReEnrol = "re-enrol";

    public static readonly IReadOnlyList<(string Op, string Label)> Buttons =
        [(CommandOps.Open, "OpenGate"), (CommandOps.Reboot, "Reboot"), (CommandOps.SyncTime, "SyncTime"), (ReEnrol, "ReEnrol")];

    /// <summary>The page of a device.</summary>
    public static string PathOf(string sn) => "/devices/" + Uri.EscapeDataString(sn);

    /// <param name="frame">The request's text, language, user and token.</param>
    /// <param name="device">The device.</param>
    /// <param name="settings">What to type into the terminal's own menu.</param>
    /// <param name="flash">A new secret (shown on this one response only) or a notice from the last form.</param>
    /// <param name="errors">What was wrong with an edit.</param>
    public static string Render(PageFrame frame, DeviceRecord device, IReadOnlyList<TerminalSetting> settings, Flash flash, IReadOnlyList<string> errors)
    {
        var view = DeviceView.From(device);
        var sn = Html.E(device.Sn);
        var action = Html.E(PathOf(device.Sn));
        var secret = flash.Secret is null ? "" : $"""
                <div class="secret">
                    <p>{frame.T("SecretOnce")}</p>
                    <code id="secret">{Html.E(flash.Secret)}</code>
                </div>
            """;
        var message = flash.Message is null ? "" : $"""<p class="notice">{Html.E(flash.Message)}</p>""";
        var settingRows = Html.Each(settings, s =>
            $"<dt>{frame.T(s.Label)}</dt><dd>{(s.Value == "SettingPasswordIsSecret" ? frame.T(s.Value) : Html.E(s.Value))}</dd>");
        var buttons = Html.Each(Buttons, b => $"""
                    <form method="post" action="{action}?handler=command" class="inline">
                        <input type="hidden" name="op" value="{Html.E(b.Op)}" />
                        <button type="submit" class="cmd" data-op="{Html.E(b.Op)}">{frame.T(b.Label)}</button>
                        {frame.AntiforgeryField}
                    </form>
            """);
        string Direction(string value, string label) =>
            $"""<option value="{value}"{Html.Flag("selected", view.Direction == value)}>{frame.T(label)}</option>""";
        return Layout.Render(frame, device.Sn, "device", $"""
            <div class="grid">
            <section class="card">
                <h1>{frame.T("Device")} <span id="device-sn">{sn}</span></h1>
            {secret}
                {message}
                {Html.Errors(errors)}
                <h2>{frame.T("Settings")} ({Html.E(device.Protocol)})</h2>
                <dl id="settings">
                    {settingRows}
                </dl>
            </section>

            <section class="card">
                <h2>{frame.T("Commands")} <span class="live">● {frame.T("Live")}</span></h2>
                <div class="buttons">
            {buttons}
                </div>
                <div class="scroll">
                <table id="commands" data-sn="{sn}" data-queued="{frame.T("queued")}" data-sent="{frame.T("sent")}" data-done="{frame.T("done")}" data-failed="{frame.T("failed")}">
                    <thead><tr><th>#</th><th>{frame.T("Command")}</th><th>{frame.T("State")}</th><th>{frame.T("Created")}</th><th>{frame.T("Completed")}</th><th>{frame.T("Error")}</th></tr></thead>
                    <tbody></tbody>
                </table>
                </div>
                <template id="command-row">
                    <tr><td data-f="id"></td><td data-f="op"></td><td><span class="cstate" data-f="state"></span></td><td data-f="createdAt"></td><td data-f="completedAt"></td><td data-f="error"></td></tr>
                </template>
            </section>

            <section class="card">
                <h2>{frame.T("Save")}</h2>
                <form method="post" action="{action}?handler=edit" class="stack" id="edit-device">
                    <label>{frame.T("Protocol")} <select name="protocol" id="edit-protocol">{Html.Options(PayloadDecoder.Protocols, device.Protocol)}</select></label>
                    <label>{frame.T("Gate")} <input name="gate"{Html.Attr("value", device.Gate)} maxlength="64" /></label>
                    <label>{frame.T("Direction")} <select name="direction">
                        {Direction("in", "In")}
                        {Direction("out", "Out")}
                        {Direction("unknown", "Unknown")}</select></label>
                    <label>{frame.T("TimeZone")} <input name="timeZone"{Html.Attr("value", view.TimeZone)} placeholder="+08:00" /></label>
                    <label>{frame.T("DeviceUrl")} <input name="deviceUrl"{Html.Attr("value", device.DeviceUrl)} /></label>
                    <button type="submit" id="save-device">{frame.T("Save")}</button>
                    {frame.AntiforgeryField}
                </form>
                <div class="buttons">
                    <form method="post" action="{action}?handler=secret" class="inline"><button type="submit">{frame.T("ResetSecret")}</button>{frame.AntiforgeryField}</form>
                    <form method="post" action="{action}?handler=remove" class="inline"><button type="submit" class="danger">{frame.T("Remove")}</button>{frame.AntiforgeryField}</form>
                </div>
                <p><a href="/">← {frame.T("Back")}</a></p>
            </section>
            </div>
            """);
    }

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPage("/devices/{sn}", context =>
            Find(context) is { } device
                ? Page(context, device, Flash.Take(context), [], StatusCodes.Status200OK)
                : PageEndpoints.StatusAsync(context, StatusCodes.Status404NotFound));
        app.MapForm("/devices/{sn}", (context, form) => form.Handler switch
        {
            "command" => CommandAsync(context, form["op"]),
            "edit" => EditAsync(context, form),
            "secret" => ResetSecretAsync(context),
            "remove" => RemoveAsync(context),
            _ => PageEndpoints.StatusAsync(context, StatusCodes.Status404NotFound),
        });
    }

    private static Task CommandAsync(HttpContext context, string? op)
    {
        if (Find(context) is not { } device)
        {
            return PageEndpoints.StatusAsync(context, StatusCodes.Status404NotFound);
        }

        var sn = SnOf(context);
        if (op == ReEnrol)
        {
            // Forgets what the terminal confirmed, so the next enrolment round sends the whole roster again.
            var roster = context.RequestServices.GetRequiredService<RosterStore>();
            foreach (var person in roster.Enrolled(sn).Keys)
            {
                roster.SetEnrolled(sn, person, null);
            }

            context.RequestServices.GetRequiredService<EnrolmentReconciler>().Wake();
        }
        else if (CommandOps.Problem(op, null) is null && op is CommandOps.Open or CommandOps.Reboot or CommandOps.SyncTime)
        {
            context.RequestServices.GetRequiredService<CommandQueue>().Enqueue(sn, op, null, "web");
        }
        else
        {
            return PageEndpoints.StatusAsync(context, StatusCodes.Status400BadRequest);
        }

        Audit(context, "command", $"{sn}: {op}");
        new Flash(context.RequestServices.GetRequiredService<IStringLocalizer<UiText>>()["CommandQueued"].Value + ": " + op).Keep(context);
        return PageEndpoints.RedirectAsync(context, PathOf(sn));
    }

    private static Task EditAsync(HttpContext context, FormFields form)
    {
        if (Find(context) is not { } device)
        {
            return PageEndpoints.StatusAsync(context, StatusCodes.Status404NotFound);
        }

        var sn = SnOf(context);
        var body = new DeviceRegistration(sn, null, form["protocol"], PageEndpoints.Blank(form["gate"]), form["direction"], PageEndpoints.Blank(form["timeZone"]), PageEndpoints.Blank(form["deviceUrl"]));
        var errors = DevicesFeature.Validate(body, out var direction, out var offset);
        if (errors.Count > 0)
        {
            return Page(context, device, Flash.None, [.. errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")], StatusCodes.Status400BadRequest);
        }

        context.RequestServices.GetRequiredService<DeviceRegistry>().Edit(sn, body.Protocol ?? device.Protocol, body.Gate, direction, offset, body.DeviceUrl);
        Audit(context, "device-edited", $"{sn}: protocol {body.Protocol}, gate {body.Gate}, {form["direction"]}, offset {body.TimeZone}, url {body.DeviceUrl}");
        return PageEndpoints.RedirectAsync(context, PathOf(sn));
    }

    private static Task ResetSecretAsync(HttpContext context)
    {
        var sn = SnOf(context);
        var secret = DeviceRegistry.NewSecret();
        if (context.RequestServices.GetRequiredService<DeviceRegistry>().ResetSecret(sn, secret) is null)
        {
            return PageEndpoints.StatusAsync(context, StatusCodes.Status404NotFound);
        }

        Audit(context, "device-secret-reset", sn);
        new Flash(null, secret).Keep(context);
        return PageEndpoints.RedirectAsync(context, PathOf(sn));
    }

    private static Task RemoveAsync(HttpContext context)
    {
        var sn = SnOf(context);
        if (context.RequestServices.GetRequiredService<DeviceRegistry>().Remove(sn))
        {
            Audit(context, "device-removed", sn);
        }

        return PageEndpoints.RedirectAsync(context, "/");
    }

    private static Task Page(HttpContext context, DeviceRecord device, Flash flash, IReadOnlyList<string> errors, int status)
    {
        var host = context.RequestServices.GetRequiredService<IOptions<WebUiOptions>>().Value.AdvertisedHost ?? context.Request.Host.Host;
        var httpPort = context.Request.Host.Port ?? context.Connection.LocalPort;
        var brokerPort = context.RequestServices.GetRequiredService<IOptions<SiteBrokerOptions>>().Value.Port;
        var settings = TerminalSettings.For(device.Protocol, device.Sn, host, httpPort, brokerPort);
        return PageEndpoints.HtmlAsync(context, Render(PageEndpoints.Frame(context), device, settings, flash, errors), status);
    }

    private static string SnOf(HttpContext context) => (string)context.Request.RouteValues["sn"]!;

    private static DeviceRecord? Find(HttpContext context) => context.RequestServices.GetRequiredService<DeviceRegistry>().Find(SnOf(context));

    private static void Audit(HttpContext context, string action, string detail) =>
        context.RequestServices.GetRequiredService<WebUserStore>().Record(context.UserName(), action, detail, context.Remote());
}
