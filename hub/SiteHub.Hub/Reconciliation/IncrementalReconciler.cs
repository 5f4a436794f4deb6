using SiteHub.Hub.Registry;

namespace SiteHub.Hub.Reconciliation;

/// <summary>What one event or clock tick changed in the standing alerts.</summary>
/// <param name="Raised">New conditions.</param>
/// <param name="Updated">Conditions that still hold with other figures (the new alert).</param>
/// <param name="Resolved">Conditions that cleared (the last alert).</param>
public sealed record AlertChanges(IReadOnlyList<Alert> Raised, IReadOnlyList<Alert> Updated, IReadOnlyList<Alert> Resolved)
{
    public static AlertChanges None { get; } = new([], [], []);

    public bool IsEmpty => Raised.Count == 0 && Updated.Count == 0 && Resolved.Count == 0;
}

/// <summary>
/// The live path: keeps the standing alerts up to date as punches and payouts arrive and as the
/// clock moves, re-evaluating only the scopes an event touches, those whose wages fall due, and
/// the projects (whose silent days count up). It calls the same
/// <see cref="ReconciliationLedger.Evaluate"/> as <see cref="BulkReconciler"/>, so after any
/// sequence of events its <see cref="Standing"/> equals the bulk result for the same day.
/// </summary>
/// <remarks>Not thread-safe: the hub calls it from one place.</remarks>
public sealed class IncrementalReconciler
{
    private readonly ReconciliationLedger _ledger;
    private readonly Dictionary<Scope, IReadOnlyList<Alert>> _standing = [];
    private readonly SortedDictionary<DateOnly, HashSet<Scope>> _wakeUps = [];
    private readonly HashSet<Scope> _dueScheduled = [];

    /// <param name="ledger">The state; from now on changed only through this reconciler.</param>
    /// <param name="asOf">The current day.</param>
    public IncrementalReconciler(ReconciliationLedger ledger, DateOnly asOf)
    {
        _ledger = ledger;
        AsOf = asOf;
        foreach (var scope in ledger.AllScopes())
        {
            Schedule(scope, asOf);
            _standing[scope] = ledger.Evaluate(scope, asOf);
        }
    }

    /// <summary>The day the standing alerts are for.</summary>
    public DateOnly AsOf { get; private set; }

    /// <summary>The ledger (for queries).</summary>
    public ReconciliationLedger Ledger => _ledger;

    /// <summary>The alerts standing now, in <see cref="BulkReconciler.Order"/>.</summary>
    public IReadOnlyList<Alert> Standing => BulkReconciler.Order(_standing.Values.SelectMany(a => a));

    /// <summary>Folds in a punch and re-evaluates what it touched.</summary>
    public AlertChanges AddPunch(GatePunch punch) => Apply(_ledger.AddPunch(punch));

    /// <summary>
    /// Folds in a batch of punches and re-evaluates each scope they touched once: a gateway's
    /// batch is mostly one site, whose project would otherwise be evaluated for every punch.
    /// </summary>
    /// <returns>The changes from the standing alerts before the batch to those after it.</returns>
    public AlertChanges AddPunches(IEnumerable<GatePunch> punches)
    {
        var touches = new List<Touch>();
        foreach (var punch in punches)
        {
            _ledger.AddPunch(punch, touches);
        }

        return Apply(touches);
    }

    /// <summary>Folds in a payout and re-evaluates what it touched.</summary>
    public AlertChanges AddPayout(Payout payout) => Apply(_ledger.AddPayout(payout));

    /// <summary>
    /// Adds or replaces projects and roster entries and re-evaluates the scopes the change
    /// concerns (see <see cref="ReconciliationLedger.ChangeRegistry"/>), not every scope.
    /// </summary>
    public AlertChanges ChangeRegistry(IReadOnlyCollection<Project> projects, IReadOnlyCollection<RosterEntry> entries)
    {
        var touches = _ledger.ChangeRegistry(projects, entries);

        // A changed pay day moves due dates: the scopes touched are scheduled again.
        foreach (var touch in touches)
        {
            _dueScheduled.Remove(touch.Scope);
        }

        return Apply(touches);
    }

    /// <summary>Moves the clock to <paramref name="asOf"/> (never back): due dates crossed, events that became visible, silent days.</summary>
    public AlertChanges AdvanceTo(DateOnly asOf)
    {
        if (asOf < AsOf)
        {
            throw new ArgumentOutOfRangeException(nameof(asOf), "The clock never goes back.");
        }

        if (asOf == AsOf)
        {
            return AlertChanges.None;
        }

        AsOf = asOf;
        var dirty = new HashSet<Scope>(_ledger.Projects.Keys.Select(p => new Scope(ScopeKind.Project, p, "", default)));
        while (_wakeUps.Count > 0)
        {
            var (day, scopes) = _wakeUps.First();
            if (day > asOf)
            {
                break;
            }

            _wakeUps.Remove(day);
            dirty.UnionWith(scopes);
        }

        return Reevaluate(dirty);
    }

    private AlertChanges Apply(IReadOnlyList<Touch> touches)
    {
        if (touches.Count == 0)
        {
            return AlertChanges.None;
        }

        var dirty = new HashSet<Scope>();
        foreach (var touch in touches)
        {
            dirty.Add(touch.Scope);
            if (touch.VisibleFrom > AsOf)
            {
                WakeUp(touch.VisibleFrom, touch.Scope);
            }

            Schedule(touch.Scope, AsOf);
        }

        return Reevaluate(dirty);
    }

    private void Schedule(Scope scope, DateOnly asOf)
    {
        if (_dueScheduled.Add(scope) && _ledger.DueChangeDate(scope) is { } day && day > asOf)
        {
            WakeUp(day, scope);
        }
    }

    private void WakeUp(DateOnly day, Scope scope)
    {
        if (!_wakeUps.TryGetValue(day, out var scopes))
        {
            _wakeUps[day] = scopes = [];
        }

        scopes.Add(scope);
    }

    private AlertChanges Reevaluate(IEnumerable<Scope> scopes)
    {
        List<Alert> raised = [], updated = [], resolved = [];
        foreach (var scope in scopes)
        {
            var now = _ledger.Evaluate(scope, AsOf);
            var before = _standing.GetValueOrDefault(scope) ?? [];
            if (now.Count == 0 && before.Count == 0)
            {
                continue;
            }

            var beforeByKey = before.ToDictionary(a => a.Key, StringComparer.Ordinal);
            foreach (var alert in now)
            {
                if (!beforeByKey.Remove(alert.Key, out var old))
                {
                    raised.Add(alert);
                }
                else if (old != alert)
                {
                    updated.Add(alert);
                }
            }

            resolved.AddRange(beforeByKey.Values);
            if (now.Count == 0)
            {
                _standing.Remove(scope);
            }
            else
            {
                _standing[scope] = now;
            }
        }

        return raised.Count + updated.Count + resolved.Count == 0 ? AlertChanges.None : new AlertChanges(raised, updated, resolved);
    }
}
