using LiteDB;
using SiteHub.Hub.Reconciliation;

namespace SiteHub.Hub.Registry;

/// <summary>
/// The registry in <c>registry.db</c>: projects, contractors, teams, workers (hashed and masked
/// ID and account numbers only), payouts (one per transaction id) and the history of imports.
/// </summary>
public sealed class RegistryStore(RegistryDatabase database, TimeProvider clock)
{
    public const string Projects = "projects";
    public const string Workers = "workers";
    public const string Contractors = "contractors";
    public const string Teams = "teams";
    public const string Payouts = "payouts";
    public const string Imports = "imports";

    /// <summary>Most row errors kept with an import in its history (the response lists them all).</summary>
    public const int MaxStoredErrors = 1000;

    public IReadOnlyList<ProjectDoc> AllProjects() =>
        database.Read(db => db.GetCollection<ProjectDoc>(Projects).FindAll().OrderBy(p => p.Id, StringComparer.Ordinal).ToList());

    public ProjectDoc? FindProject(string projectId) => database.Read(db => db.GetCollection<ProjectDoc>(Projects).FindById(projectId));

    public IReadOnlyList<WorkerDoc> AllWorkers() => database.Read(db => db.GetCollection<WorkerDoc>(Workers).FindAll().ToList());

    /// <summary>A worker's enrolments, by project id.</summary>
    public IReadOnlyList<WorkerDoc> EnrolmentsOf(string workerId) =>
        database.Read(db => db.GetCollection<WorkerDoc>(Workers).Find(w => w.WorkerId == workerId).OrderBy(w => w.ProjectId, StringComparer.Ordinal).ToList());

    public IReadOnlyList<ContractorDoc> AllContractors() => database.Read(db => db.GetCollection<ContractorDoc>(Contractors).FindAll().ToList());

    /// <summary>Stores projects (a project with the same id is replaced) and their contractors.</summary>
    public void UpsertProjects(IReadOnlyCollection<Project> projects)
    {
        var now = clock.GetUtcNow();
        database.Write(db =>
        {
            db.GetCollection<ProjectDoc>(Projects).Upsert(projects.Select(p => ProjectDoc.From(p, now)));
            db.GetCollection<ContractorDoc>(Contractors).Upsert(projects.Select(p => p.Contractor).Distinct(StringComparer.Ordinal)
                .Select(c => new ContractorDoc { Id = c, UpdatedAt = now }));
            return 0;
        });
        Changed?.Invoke();
    }

    /// <summary>Raised after projects or workers changed (the site rosters may have).</summary>
    public event Action? Changed;

    /// <summary>Stores roster entries (an entry of the same worker and project is replaced), their employers and teams.</summary>
    public void UpsertWorkers(IReadOnlyCollection<RosterEntry> entries)
    {
        var now = clock.GetUtcNow();
        database.Write(db =>
        {
            db.GetCollection<WorkerDoc>(Workers).Upsert(entries.Select(e => WorkerDoc.From(e, now)));
            db.GetCollection<ContractorDoc>(Contractors).Upsert(entries.Select(e => e.Employer).Where(e => e.Length > 0).Distinct(StringComparer.Ordinal)
                .Select(c => new ContractorDoc { Id = c, UpdatedAt = now }));
            db.GetCollection<TeamDoc>(Teams).Upsert(entries.Where(e => e.Team.Length > 0)
                .Select(e => new TeamDoc { Id = $"{e.ProjectId}|{e.Employer}|{e.Team}", ProjectId = e.ProjectId, Employer = e.Employer, Team = e.Team })
                .DistinctBy(t => t.Id, StringComparer.Ordinal));
            return 0;
        });
        Changed?.Invoke();
    }

    /// <summary>Whether a payout with this transaction id was imported.</summary>
    public bool HasPayout(string txnId) => database.Read(db => db.GetCollection<PayoutDoc>(Payouts).Exists(p => p.Id == txnId));

    public IReadOnlyList<Payout> AllPayouts() => database.Read(db => db.GetCollection<PayoutDoc>(Payouts).FindAll().Select(p => p.ToPayout()).ToList());

    /// <summary>Payouts by transaction id (those that exist).</summary>
    public IReadOnlyList<PayoutDoc> FindPayouts(IEnumerable<string> txnIds) => database.Read(db =>
    {
        var payouts = db.GetCollection<PayoutDoc>(Payouts);
        return txnIds.Select(id => payouts.FindById(id)).Where(p => p is not null).ToList();
    });

    /// <summary>An earlier import of the same kind with the same bytes, if any.</summary>
    public ImportDoc? FindImport(string kind, string sha256) => database.Read(db =>
        db.GetCollection<ImportDoc>(Imports).Find(i => i.Sha256 == sha256).Where(i => i.Kind == kind && i.DuplicateOf == null).MinBy(i => i.Id));

    /// <summary>One import of the history, with its stored row errors.</summary>
    public ImportDoc? FindImport(long id) => database.Read(db => db.GetCollection<ImportDoc>(Imports).FindById(id));

    /// <summary>Imports, newest first.</summary>
    public IReadOnlyList<ImportDoc> RecentImports(int limit) =>
        database.Read(db => db.GetCollection<ImportDoc>(Imports).Find(Query.All(Query.Descending), limit: limit).ToList());

    /// <summary>Records an import and stores its payouts (none for registry files) in one transaction; returns the import's id.</summary>
    public long RecordImport(ImportDoc import, IReadOnlyCollection<Payout> payouts)
    {
        return database.Write(db =>
        {
            var imports = db.GetCollection<ImportDoc>(Imports);
            var id = imports.Count() == 0 ? 1 : imports.Max(i => i.Id) + 1;
            imports.Insert(import with { Id = id, Errors = [.. import.Errors.Take(MaxStoredErrors)] });
            db.GetCollection<PayoutDoc>(Payouts).Insert(payouts.Select(p => PayoutDoc.From(p, id)));
            return id;
        });
    }
}
