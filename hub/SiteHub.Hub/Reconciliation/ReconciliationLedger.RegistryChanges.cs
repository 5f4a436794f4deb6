using SiteHub.Hub.Registry;
using SiteHub.Protocols.Punches;

namespace SiteHub.Hub.Reconciliation;

/// <summary>Registry changes folded into a ledger without building it again.</summary>
public sealed partial class ReconciliationLedger
{
    /// <summary>
    /// Adds or replaces projects and roster entries (by project id, and by worker and project) and
    /// re-derives what they change: the attendance and unregistered punches of the workers
    /// changed and of everyone who punched at a changed project's sites (from their kept
    /// punches), the punch days of the changed projects, and the links of the payouts that
    /// involve a changed worker's ID or account number, a changed project's wage account, or a
    /// scope derived again. Nothing else is touched.
    /// </summary>
    /// <param name="projects">Projects added or changed.</param>
    /// <param name="entries">Roster entries added or changed (an entry for an unknown project is ignored, as in the constructor).</param>
    /// <returns>The scopes that may have changed: those forgotten and those derived again.</returns>
    /// <exception cref="InvalidOperationException">The ledger was not built to follow registry changes.</exception>
    /// <remarks>
    /// The result equals a ledger built from the new registry with the same events, except in one
    /// case the order of registration decides: a bank account shared by several workers links
    /// to the first registered, and a worker added later is registered after the others.
    /// </remarks>
    public IReadOnlyList<Touch> ChangeRegistry(IReadOnlyCollection<Project> projects, IReadOnlyCollection<RosterEntry> entries)
    {
        var changes = _changes ?? throw new InvalidOperationException("This ledger was not built to follow registry changes.");
        var persons = new HashSet<string>(StringComparer.Ordinal);
        var changedProjects = new List<ProjectState>();
        var numbers = new HashSet<string>(StringComparer.Ordinal);
        var rosterChanged = new HashSet<ProjectState>();

        foreach (var project in projects)
        {
            var old = _projects.GetValueOrDefault(project.ProjectId);
            foreach (var site in (old?.SiteIds ?? []).Concat(project.SiteIds))
            {
                persons.UnionWith(changes.PersonsBySite.GetValueOrDefault(site) ?? []);
            }

            numbers.Add(project.WageAccountHash);
            if (old is not null)
            {
                numbers.Add(old.WageAccountHash);
            }

            changedProjects.Add(Register(old, project));
        }

        foreach (var entry in entries)
        {
            if (!_projectStates.TryGetValue(entry.ProjectId, out var projectState))
            {
                continue;
            }

            if (!_workers.TryGetValue(entry.WorkerId, out var worker))
            {
                _workers[entry.WorkerId] = worker = new WorkerState(entry.WorkerId);
            }

            var old = worker.EnrolmentAt(projectState);
            persons.Add(entry.WorkerId);
            rosterChanged.Add(projectState);
            numbers.UnionWith([entry.IdNumberHash, entry.BankAccountHash]);
            if (old is not null)
            {
                numbers.UnionWith([old.IdNumberHash, old.BankAccountHash]);
            }

            Register(worker, old, entry, projectState);
        }

        // Forget what was derived from the registry as it was…
        var touches = new List<Touch>();
        var relink = new Dictionary<string, Payout>(StringComparer.Ordinal);
        foreach (var person in persons)
        {
            foreach (var scope in changes.ScopesBySubject.GetValueOrDefault(person)?.ToList() ?? [])
            {
                Forget(scope, relink, touches);
            }
        }

        foreach (var project in changedProjects)
        {
            foreach (var scope in changes.ScopesByProject.GetValueOrDefault(project.Project.ProjectId)?.ToList() ?? [])
            {
                Forget(scope, relink, touches);
            }

            project.ClearPunchDays();
            touches.Add(new Touch(project.Scope, default));
        }

        foreach (var number in numbers)
        {
            foreach (var payout in changes.PayoutsByNumber.GetValueOrDefault(number) ?? [])
            {
                Detach(payout, relink, touches);
            }
        }

        foreach (var project in rosterChanged)
        {
            touches.Add(new Touch(project.Scope, default));
        }

        // …and derive it again from the events it concerns.
        foreach (var person in persons)
        {
            foreach (var punch in changes.PunchesByPerson.GetValueOrDefault(person) ?? [])
            {
                AddPunch(ResolveCore(punch.SiteId, person, person, punch.Direction, punch.OccurredAt), touches);
            }
        }

        foreach (var payout in relink.Values)
        {
            touches.Add(Link(payout));
        }

        return touches;
    }

    private ProjectState Register(Project? old, Project project)
    {
        _projects[project.ProjectId] = project;
        if (old is not null && _projectByWageAccount.GetValueOrDefault(old.WageAccountHash) == old)
        {
            _projectByWageAccount.Remove(old.WageAccountHash);
        }

        _projectByWageAccount.TryAdd(project.WageAccountHash, project);
        if (!_projectStates.TryGetValue(project.ProjectId, out var state))
        {
            _projectStates[project.ProjectId] = state = new ProjectState(project);
        }

        state.Project = project;
        foreach (var site in (old?.SiteIds ?? []).Except(project.SiteIds, StringComparer.Ordinal))
        {
            var remaining = (_projectsBySite.GetValueOrDefault(site) ?? []).Where(p => p != state).ToArray();
            if (remaining.Length == 0)
            {
                _projectsBySite.Remove(site);
            }
            else
            {
                _projectsBySite[site] = remaining;
            }
        }

        // A site's projects stay in project id order: a shared site reports unregistered punches under the first.
        foreach (var site in project.SiteIds)
        {
            var current = _projectsBySite.GetValueOrDefault(site) ?? [];
            if (!current.Contains(state))
            {
                _projectsBySite[site] = [.. current.Append(state).OrderBy(p => p.Project.ProjectId, StringComparer.Ordinal)];
            }
        }

        return state;
    }

    private void Register(WorkerState worker, RosterEntry? old, RosterEntry entry, ProjectState project)
    {
        if (old is null)
        {
            worker.Enrol(entry, project);
            project.Roster.Add(entry);
        }
        else
        {
            worker.Replace(old, entry);
            project.Roster[project.Roster.IndexOf(old)] = entry;
            if (old.IdNumberHash != entry.IdNumberHash && _workerByIdHash.GetValueOrDefault(old.IdNumberHash) == worker.WorkerId
                && !Array.Exists(worker.Enrolments, e => e.IdNumberHash == old.IdNumberHash))
            {
                _workerByIdHash.Remove(old.IdNumberHash);
            }

            if (old.BankAccountHash != entry.BankAccountHash && _workerByAccountHash.GetValueOrDefault(old.BankAccountHash) == worker.WorkerId
                && !Array.Exists(worker.Enrolments, e => e.BankAccountHash == old.BankAccountHash))
            {
                // The account passes to the first other worker registered with it, as a ledger built anew would link it.
                _workerByAccountHash.Remove(old.BankAccountHash);
                var next = _workers.Values.FirstOrDefault(w => Array.Exists(w.Enrolments, e => e.BankAccountHash == old.BankAccountHash));
                if (next is not null)
                {
                    _workerByAccountHash[old.BankAccountHash] = next.WorkerId;
                }
            }
        }

        _workerByIdHash.TryAdd(entry.IdNumberHash, entry.WorkerId);
        _workerByAccountHash.TryAdd(entry.BankAccountHash, entry.WorkerId);
    }

    // Drops a derived scope; its payouts are kept aside to be linked again.
    private void Forget(Scope scope, Dictionary<string, Payout> relink, List<Touch> touches)
    {
        List<LinkedPayout>? payouts = null;
        switch (scope.Kind)
        {
            case ScopeKind.WorkerMonth when _workerMonths.Remove(scope, out var wm):
                payouts = wm.Payouts;
                if (_workers.GetValueOrDefault(scope.Subject) is { } worker && worker.LastMonth == wm)
                {
                    worker.LastMonth = null;
                }

                break;
            case ScopeKind.PayeeMonth:
                _payeeMonths.Remove(scope, out payouts);
                break;
            case ScopeKind.Unregistered:
                _unregistered.Remove(scope);
                break;
        }

        foreach (var linked in payouts ?? [])
        {
            relink[linked.Payout.TxnId] = linked.Payout;
            _changes!.ScopeOfPayout.Remove(linked.Payout.TxnId);
        }

        _changes!.Untrack(scope);
        touches.Add(new Touch(scope, default));
    }

    // Takes one payout out of the scope it is linked to now, to be linked again.
    private void Detach(Payout payout, Dictionary<string, Payout> relink, List<Touch> touches)
    {
        if (!_changes!.ScopeOfPayout.Remove(payout.TxnId, out var scope))
        {
            return;
        }

        relink[payout.TxnId] = payout;
        touches.Add(new Touch(scope, default));
        if (scope.Kind == ScopeKind.WorkerMonth && _workerMonths.TryGetValue(scope, out var wm))
        {
            wm.Payouts!.RemoveAll(p => p.Payout.TxnId == payout.TxnId);
        }
        else if (scope.Kind == ScopeKind.PayeeMonth && _payeeMonths.TryGetValue(scope, out var list))
        {
            list.RemoveAll(p => p.Payout.TxnId == payout.TxnId);
            if (list.Count == 0)
            {
                _payeeMonths.Remove(scope);
                _changes.Untrack(scope);
            }
        }
    }

    /// <summary>A punch as a ledger that follows registry changes keeps it, under the person's id.</summary>
    private readonly record struct LoggedPunch(string SiteId, Direction Direction, DateTimeOffset OccurredAt);

    /// <summary>
    /// What a ledger that follows registry changes keeps beyond the rules' own state: each
    /// person's punches, who punched at each site, the scopes of each worker (or person) and
    /// project, and the payouts of each ID or account number with the scope each is linked to now.
    /// </summary>
    private sealed class ChangeIndex
    {
        public Dictionary<string, List<LoggedPunch>> PunchesByPerson { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, HashSet<string>> PersonsBySite { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, HashSet<Scope>> ScopesBySubject { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, HashSet<Scope>> ScopesByProject { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, List<Payout>> PayoutsByNumber { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Scope> ScopeOfPayout { get; } = new(StringComparer.Ordinal);

        public void Log(GatePunch punch)
        {
            Add(PunchesByPerson, punch.PersonId, new LoggedPunch(punch.SiteId, punch.Direction, punch.OccurredAt));
            if (!PersonsBySite.TryGetValue(punch.SiteId, out var persons))
            {
                PersonsBySite[punch.SiteId] = persons = new HashSet<string>(StringComparer.Ordinal);
            }

            persons.Add(punch.PersonId);
        }

        public void Index(Payout payout)
        {
            if (payout.PayeeIdHash is { } idHash)
            {
                Add(PayoutsByNumber, idHash, payout);
            }

            Add(PayoutsByNumber, payout.PayeeAccountHash, payout);
            if (payout.PayerAccountHash != payout.PayeeAccountHash)
            {
                Add(PayoutsByNumber, payout.PayerAccountHash, payout);
            }
        }

        public void Place(Payout payout, Scope scope) => ScopeOfPayout[payout.TxnId] = scope;

        public void Track(Scope scope)
        {
            if (scope.Kind is ScopeKind.WorkerMonth or ScopeKind.Unregistered)
            {
                Set(ScopesBySubject, scope.Subject).Add(scope);
            }

            if (scope.ProjectId is { } project)
            {
                Set(ScopesByProject, project).Add(scope);
            }
        }

        public void Untrack(Scope scope)
        {
            ScopesBySubject.GetValueOrDefault(scope.Subject)?.Remove(scope);
            if (scope.ProjectId is { } project)
            {
                ScopesByProject.GetValueOrDefault(project)?.Remove(scope);
            }
        }

        private static HashSet<Scope> Set(Dictionary<string, HashSet<Scope>> index, string key)
        {
            if (!index.TryGetValue(key, out var set))
            {
                index[key] = set = [];
            }

            return set;
        }

        private static void Add<T>(Dictionary<string, List<T>> index, string key, T value)
        {
            if (!index.TryGetValue(key, out var list))
            {
                index[key] = list = [];
            }

            list.Add(value);
        }
    }
}
