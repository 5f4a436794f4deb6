using Microsoft.AspNetCore.Mvc.RazorPages;
using SiteHub.Gateway.Commands;
using SiteHub.Gateway.Devices;
using SiteHub.Gateway.Enrolment;
using SiteHub.Platform.Web;

namespace SiteHub.Gateway.WebUi.Pages;

/// <summary>One worker of the roster as shown: the id masked, where they are enrolled, what failed.</summary>
public sealed record RosterRow(string MaskedId, string Name, IReadOnlyList<string> EnrolledOn, IReadOnlyList<string> Errors);

/// <summary>The site roster: which terminals each worker is enrolled on, and enrolment errors.</summary>
public sealed class RosterModel(RosterStore roster, DeviceRegistry registry, CommandQueue commands) : PageModel
{
    public IReadOnlyList<RosterRow> Rows { get; private set; } = [];

    public void OnGet()
    {
        var devices = registry.All;
        var enrolled = devices.ToDictionary(d => d.Sn, d => roster.Enrolled(d.Sn), StringComparer.Ordinal);
        var failures = devices
            .SelectMany(d => commands.ForDevice(d.Sn))
            .Where(c => c.Origin == "enrolment" && c.State == CommandState.Failed && c.Args.ContainsKey("person"))
            .GroupBy(c => c.Args["person"], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(c => $"{c.Sn} {c.Op}: {c.Error}").Distinct(StringComparer.Ordinal).Take(5).ToList(), StringComparer.Ordinal);
        Rows = roster.Roster()
            .Select(w => new RosterRow(
                PersonIdMask.Mask(w.Id),
                w.Name,
                enrolled.Where(e => e.Value.ContainsKey(w.Id)).Select(e => e.Key).ToList(),
                failures.GetValueOrDefault(w.Id) ?? []))
            .ToList();
    }
}
