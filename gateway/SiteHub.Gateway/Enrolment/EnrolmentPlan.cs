using SiteHub.Gateway.Commands;

namespace SiteHub.Gateway.Enrolment;

/// <summary>A worker on the site roster, as terminals enrol them.</summary>
public sealed record RosterWorker(string Id, string Name);

/// <summary>One command the plan asks for.</summary>
public sealed record EnrolmentStep(string Op, string Person, string? Name);

/// <summary>
/// What one terminal needs to match the roster (pure): enrol whoever is missing or enrolled under
/// another name, delete whoever left, and ask for nothing a queued or sent command already covers.
/// </summary>
public static class EnrolmentPlan
{
    /// <param name="roster">The site roster.</param>
    /// <param name="enrolled">Who the terminal confirmed enrolled (person → name).</param>
    /// <param name="open">The terminal's queued and sent commands.</param>
    public static IReadOnlyList<EnrolmentStep> Diff(
        IReadOnlyCollection<RosterWorker> roster, IReadOnlyDictionary<string, string> enrolled, IReadOnlyCollection<DeviceCommandRecord> open)
    {
        var pendingUpserts = open.Where(c => c.Op == CommandOps.UpsertPerson)
            .Select(c => (c.Args.GetValueOrDefault("person"), c.Args.GetValueOrDefault("name"))).ToHashSet();
        var pendingDeletes = open.Where(c => c.Op == CommandOps.DeletePerson).Select(c => c.Args.GetValueOrDefault("person")).ToHashSet(StringComparer.Ordinal);
        var wanted = roster.ToDictionary(w => w.Id, StringComparer.Ordinal);
        var steps = new List<EnrolmentStep>();
        foreach (var worker in roster.OrderBy(w => w.Id, StringComparer.Ordinal))
        {
            var current = enrolled.GetValueOrDefault(worker.Id);
            if (current != worker.Name && !pendingUpserts.Contains((worker.Id, worker.Name)))
            {
                steps.Add(new EnrolmentStep(CommandOps.UpsertPerson, worker.Id, worker.Name));
            }
        }

        // Someone enrolled, or about to be by an older command, who is no longer on the roster.
        var present = enrolled.Keys.Concat(pendingUpserts.Select(p => p.Item1).OfType<string>()).ToHashSet(StringComparer.Ordinal);
        foreach (var person in present.Order(StringComparer.Ordinal))
        {
            if (!wanted.ContainsKey(person) && !pendingDeletes.Contains(person))
            {
                steps.Add(new EnrolmentStep(CommandOps.DeletePerson, person, null));
            }
        }

        return steps;
    }
}
