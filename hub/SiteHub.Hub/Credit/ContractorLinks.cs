using SiteHub.Hub.Alerts;
using SiteHub.Hub.Registry;

namespace SiteHub.Hub.Credit;

/// <summary>
/// Which contractors an alert counts against: the general contractor of its project, and the
/// employer of its worker on that project (a subcontractor). The credit score and the alert
/// feed's contractor filter use the same links, so what the filter lists is what the grade counts.
/// </summary>
public sealed class ContractorLinks
{
    private readonly Dictionary<string, string> _generalContractors;
    private readonly Dictionary<(string WorkerId, string ProjectId), string> _employers;

    private ContractorLinks(Dictionary<string, string> generalContractors, Dictionary<(string, string), string> employers)
    {
        _generalContractors = generalContractors;
        _employers = employers;
    }

    /// <summary>The links as the registry holds them now.</summary>
    public static ContractorLinks From(RegistryStore registry) => From(registry.AllProjects(), registry.AllWorkers());

    public static ContractorLinks From(IEnumerable<ProjectDoc> projects, IEnumerable<WorkerDoc> workers) => new(
        projects.Where(p => p.Contractor.Length > 0).ToDictionary(p => p.Id, p => p.Contractor, StringComparer.Ordinal),
        workers.Where(w => w.Employer.Length > 0).DistinctBy(w => (w.WorkerId, w.ProjectId)).ToDictionary(w => (w.WorkerId, w.ProjectId), w => w.Employer));

    /// <summary>The contractors of an alert: its project's general contractor first, then its worker's employer; none for an alert of no project.</summary>
    public IReadOnlyList<string> Of(string? projectId, string? workerId)
    {
        if (projectId is null)
        {
            return [];
        }

        var found = new List<string>(2);
        if (_generalContractors.TryGetValue(projectId, out var general))
        {
            found.Add(general);
        }

        if (workerId is not null && _employers.TryGetValue((workerId, projectId), out var employer) && !found.Contains(employer, StringComparer.Ordinal))
        {
            found.Add(employer);
        }

        return found;
    }

    public IReadOnlyList<string> Of(AlertDoc alert) => Of(alert.ProjectId, alert.WorkerId);

    /// <summary>Whether <paramref name="alert"/> counts against <paramref name="contractor"/>.</summary>
    public bool Counts(AlertDoc alert, string contractor) => Of(alert).Contains(contractor, StringComparer.Ordinal);
}
