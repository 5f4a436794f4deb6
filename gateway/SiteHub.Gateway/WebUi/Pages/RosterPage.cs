using SiteHub.Gateway.Commands;
using SiteHub.Gateway.Devices;
using SiteHub.Gateway.Enrolment;
using SiteHub.Platform.Web;

namespace SiteHub.Gateway.WebUi.Pages;

/// <summary>One worker of the roster as shown: the id masked, where they are enrolled, what failed.</summary>
public sealed record RosterRow(string MaskedId, string Name, IReadOnlyList<string> EnrolledOn, IReadOnlyList<string> Errors);

/// <summary>The site roster: which terminals each worker is enrolled on, and enrolment errors.</summary>
public static class RosterPage
{
    /// <summary>Every worker of the roster with the terminals that confirmed them and their failed enrolments (at most 5).</summary>
    public static IReadOnlyList<RosterRow> Rows(RosterStore roster, DeviceRegistry registry, CommandQueue commands)
    {
        var devices = registry.All;
        var enrolled = devices.ToDictionary(d => d.Sn, d => roster.Enrolled(d.Sn), StringComparer.Ordinal);
        var failures = devices
            .SelectMany(d => commands.ForDevice(d.Sn))
            .Where(c => c.Origin == "enrolment" && c.State == CommandState.Failed && c.Args.ContainsKey("person"))
            .GroupBy(c => c.Args["person"], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(c => $"{c.Sn} {c.Op}: {c.Error}").Distinct(StringComparer.Ordinal).Take(5).ToList(), StringComparer.Ordinal);
        return roster.Roster()
            .Select(w => new RosterRow(
                PersonIdMask.Mask(w.Id),
                w.Name,
                enrolled.Where(e => e.Value.ContainsKey(w.Id)).Select(e => e.Key).ToList(),
                failures.GetValueOrDefault(w.Id) ?? []))
            .ToList();
    }

    /// <param name="frame">The request's text, language, user and token.</param>
    /// <param name="rows">The workers.</param>
    public static string Render(PageFrame frame, IReadOnlyList<RosterRow> rows) =>
        Layout.Render(frame, frame.Text["Roster"].Value, "roster", $"""
            <section class="card wide">
                <h1>{frame.T("Roster")} ({rows.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)})</h1>
                <div class="scroll">
                <table id="roster">
                    <thead><tr><th>{frame.T("Worker")}</th><th>{frame.T("Name")}</th><th>{frame.T("EnrolledOn")}</th><th>{frame.T("EnrolmentErrors")}</th></tr></thead>
                    <tbody>
            {Html.Each(rows, r => $"""
                        <tr><td>{Html.E(r.MaskedId)}</td><td>{Html.E(r.Name)}</td><td>{(r.EnrolledOn.Count == 0 ? frame.T("Nothing") : Html.E(string.Join(", ", r.EnrolledOn)))}</td>
                            <td{(r.Errors.Count > 0 ? " class=\"error\"" : "")}>{Html.E(string.Join("; ", r.Errors))}</td></tr>
            """)}
                    </tbody>
                </table>
                </div>
            </section>
            """);

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPage("/roster", context => PageEndpoints.HtmlAsync(context, Render(PageEndpoints.Frame(context), Rows(
            context.RequestServices.GetRequiredService<RosterStore>(),
            context.RequestServices.GetRequiredService<DeviceRegistry>(),
            context.RequestServices.GetRequiredService<CommandQueue>()))));
}
