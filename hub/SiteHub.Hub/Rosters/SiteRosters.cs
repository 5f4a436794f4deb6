using System.Security.Cryptography;
using System.Text;
using SiteHub.Hub.Registry;
using SiteHub.Protocols.Uplink;

namespace SiteHub.Hub.Rosters;

/// <summary>Builds each site's roster from the registry: pure, so it is tested without I/O.</summary>
public static class SiteRosters
{
    /// <summary>
    /// Per site: the workers of every project at that site who are employed on <paramref name="today"/>
    /// (started, not ended), by registry id and name, with a version that is a hash of the content.
    /// </summary>
    public static IReadOnlyDictionary<string, SiteRoster> Build(IReadOnlyList<ProjectDoc> projects, IReadOnlyList<WorkerDoc> workers, DateOnly today)
    {
        var workersByProject = workers.ToLookup(w => w.ProjectId, StringComparer.Ordinal);
        var result = new Dictionary<string, SiteRoster>(StringComparer.Ordinal);
        foreach (var site in projects.SelectMany(p => p.SiteIds).Distinct(StringComparer.Ordinal))
        {
            var people = projects.Where(p => p.SiteIds.Contains(site, StringComparer.Ordinal))
                .SelectMany(p => workersByProject[p.Id])
                .Where(w => Employed(w, today))
                .Select(w => new SiteRosterWorker(w.WorkerId, w.Name))
                .DistinctBy(w => w.Id, StringComparer.Ordinal)
                .OrderBy(w => w.Id, StringComparer.Ordinal)
                .ToList();
            var content = string.Join('\n', people.Select(w => w.Id + "\t" + w.Name));
            var version = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)))[..16];
            result[site] = new SiteRoster(site, version, people);
        }

        return result;
    }

    private static bool Employed(WorkerDoc worker, DateOnly today) =>
        (worker.StartDate.Length == 0 || WorkerDoc.ParseDate(worker.StartDate) <= today)
        && (string.IsNullOrEmpty(worker.EndDate) || WorkerDoc.ParseDate(worker.EndDate) >= today);
}
