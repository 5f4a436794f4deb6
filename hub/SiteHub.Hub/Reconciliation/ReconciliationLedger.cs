using System.Globalization;
using System.Numerics;
using System.Text;
using SiteHub.Hub.Registry;
using SiteHub.Protocols.Punches;

namespace SiteHub.Hub.Reconciliation;

/// <summary>
/// Everything the rules look at: the registry, attendance per worker × project × day, and the
/// linked payouts, folded in one event at a time. <see cref="Evaluate"/> computes the alerts of
/// one scope as they stand at the end of a day; the bulk <c>reconcile</c> evaluates every scope
/// once, the live hub only the scopes each event touches (<see cref="IncrementalReconciler"/>).
/// Both therefore run the same rule code.
/// </summary>
/// <remarks>
/// Events may arrive in any order and from after the evaluated day: every rule looks only at the
/// events visible on that day (punch and payment days in the project's zone), so the order of
/// arrival never changes a result. Adding a punch twice changes nothing (days and first-in /
/// last-out are idempotent); a payout's transaction id is added once. Not thread-safe: one writer,
/// or readers only (the bulk path evaluates in parallel after loading).
/// </remarks>
public sealed partial class ReconciliationLedger
{
    private readonly ReconciliationSettings _settings;
    private readonly Dictionary<string, Project> _projects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProjectState> _projectStates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProjectState[]> _projectsBySite = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Project> _projectByWageAccount = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WorkerState> _workers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _workerByIdHash = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _workerByAccountHash = new(StringComparer.Ordinal);
    private readonly Dictionary<Scope, WorkerMonth> _workerMonths = [];
    private readonly Dictionary<Scope, List<LinkedPayout>> _payeeMonths = [];
    private readonly Dictionary<Scope, uint> _unregistered = [];
    private readonly HashSet<string> _txnIds = new(StringComparer.Ordinal);
    private readonly ChangeIndex? _changes;

    // Span lookups let the bulk path match a punch's site and person straight from the CSV
    // buffer, on the reading threads, without a string per field.
    private readonly Dictionary<string, ProjectState[]>.AlternateLookup<ReadOnlySpan<char>> _projectsBySiteSpan;
    private readonly Dictionary<string, WorkerState>.AlternateLookup<ReadOnlySpan<char>> _workersSpan;

    /// <param name="projects">The projects (ids unique; the first of a duplicate wins).</param>
    /// <param name="roster">The roster entries (one per worker and project).</param>
    /// <param name="settings">Defaults of the per-project thresholds.</param>
    /// <param name="followsRegistryChanges">
    /// Whether <see cref="ChangeRegistry"/> will be called: the ledger then also keeps each
    /// person's punches and indexes its scopes and payouts by worker, project and number, so that a
    /// change is re-derived for what it concerns only. The bulk path, whose registry never changes, does not.
    /// </param>
    public ReconciliationLedger(IEnumerable<Project> projects, IEnumerable<RosterEntry> roster, ReconciliationSettings settings, bool followsRegistryChanges = false)
    {
        _settings = settings;
        _changes = followsRegistryChanges ? new ChangeIndex() : null;
        if (roster.TryGetNonEnumeratedCount(out var entries))
        {
            // Indexes of a million workers grown by doubling leave tens of megabytes of arrays on
            // the large object heap, each of which brings the next full collection closer.
            _workers.EnsureCapacity(entries);
            _workerByIdHash.EnsureCapacity(entries);
            _workerByAccountHash.EnsureCapacity(entries);
            _workerMonths.EnsureCapacity(entries);
        }

        foreach (var project in projects.OrderBy(p => p.ProjectId, StringComparer.Ordinal))
        {
            if (!_projects.TryAdd(project.ProjectId, project))
            {
                continue;
            }

            _projectByWageAccount.TryAdd(project.WageAccountHash, project);
            var state = new ProjectState(project);
            _projectStates[project.ProjectId] = state;
            foreach (var site in project.SiteIds)
            {
                _projectsBySite[site] = [.. _projectsBySite.GetValueOrDefault(site) ?? [], state];
            }
        }

        foreach (var entry in roster)
        {
            if (!_projectStates.TryGetValue(entry.ProjectId, out var projectState))
            {
                continue;
            }

            if (!_workers.TryGetValue(entry.WorkerId, out var worker))
            {
                _workers[entry.WorkerId] = worker = new WorkerState(entry.WorkerId);
            }

            if (worker.EnrolmentAt(projectState) is not null)
            {
                continue;
            }

            worker.Enrol(entry, projectState);
            projectState.Roster.Add(entry);
            _workerByIdHash.TryAdd(entry.IdNumberHash, entry.WorkerId);
            _workerByAccountHash.TryAdd(entry.BankAccountHash, entry.WorkerId);
        }

        _projectsBySiteSpan = _projectsBySite.GetAlternateLookup<ReadOnlySpan<char>>();
        _workersSpan = _workers.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The projects, by id.</summary>
    public IReadOnlyDictionary<string, Project> Projects => _projects;

    /// <summary>The roster entries of a worker, ordered by project id (empty when not on any roster).</summary>
    public IReadOnlyList<RosterEntry> EnrolmentsOf(string workerId) => _workers.GetValueOrDefault(workerId)?.Enrolments ?? [];

    /// <summary>The roster of a project.</summary>
    public IReadOnlyList<RosterEntry> RosterOf(string projectId) => _projectStates.GetValueOrDefault(projectId)?.Roster ?? [];

    /// <summary>Folds in a punch; returns the scopes it changed.</summary>
    public IReadOnlyList<Touch> AddPunch(GatePunch punch)
    {
        var touches = new List<Touch>(2);
        AddPunch(punch, touches);
        return touches;
    }

    /// <summary>Folds in a punch; adds the scopes it changed to <paramref name="touches"/>.</summary>
    public void AddPunch(GatePunch punch, List<Touch> touches)
    {
        _changes?.Log(punch);
        AddPunch(ResolveCore(punch.SiteId, punch.PersonId, punch.PersonId, punch.Direction, punch.OccurredAt), touches);
    }

    /// <summary>
    /// Matches a punch to the registry (its site's projects, the person's enrolments) and reads its
    /// time in the first project's zone: the part of <see cref="AddPunch(GatePunch)"/> that only
    /// reads, so the bulk path runs it on several threads while one thread folds the results in.
    /// </summary>
    /// <remarks>
    /// Reads only the registry, which punches and payouts never change: safe to call on several
    /// threads at once, and while another thread folds punches in, but not during a registry change.
    /// </remarks>
    public ResolvedPunch Resolve(ReadOnlySpan<char> siteId, ReadOnlySpan<char> personId, Direction direction, DateTimeOffset occurredAt) =>
        ResolveCore(siteId, personId, null, direction, occurredAt);

    /// <summary>Folds in a punch matched by <see cref="Resolve"/> (on this ledger, with no change to it since).</summary>
    public void AddPunch(in ResolvedPunch punch) => AddPunch(punch, null);

    private ResolvedPunch ResolveCore(ReadOnlySpan<char> siteId, ReadOnlySpan<char> personId, string? personIdText, Direction direction, DateTimeOffset occurredAt)
    {
        var match = Match(siteId, personId);
        return Resolved(match, personId, personIdText, direction, occurredAt);
    }

    // The site's projects and the person as a worker; Registered when the worker is on the roster of one of them.
    private (ProjectState[] Projects, WorkerState? Worker, bool Registered) Match(ReadOnlySpan<char> siteId, ReadOnlySpan<char> personId)
    {
        var projects = _projectsBySiteSpan.TryGetValue(siteId, out var found) ? found : [];
        var worker = _workersSpan.TryGetValue(personId, out var w) ? w : null;
        var registered = false;
        if (worker is not null)
        {
            foreach (var project in projects)
            {
                registered |= worker.IsEnrolledAt(project);
            }
        }

        return (projects, worker, registered);
    }

    private ResolvedPunch Resolved((ProjectState[] Projects, WorkerState? Worker, bool Registered) match, ReadOnlySpan<char> personId, string? personIdText, Direction direction, DateTimeOffset occurredAt)
    {
        var local = match.Projects.Length > 0
            ? match.Projects[0].Clock.LocalTime(occurredAt)
            : TimeZoneInfo.ConvertTime(occurredAt, _settings.DefaultTimeZone).DateTime;
        return new ResolvedPunch(match.Projects, match.Worker, match.Registered ? null : personIdText ?? personId.ToString(), direction, occurredAt, local);
    }

    /// <summary>
    /// Matches punches like <see cref="Resolve"/>, keeping the last match: punches of one person at
    /// one site often follow each other (in and out, a device's batch), and the lookups were the
    /// largest cost of reading tens of millions of punches. Not thread-safe: one per reading
    /// thread; like <see cref="Resolve"/>, not during a registry change.
    /// </summary>
    internal sealed class PunchMatcher(ReconciliationLedger ledger)
    {
        private byte[] _site = new byte[64];
        private int _siteLength = -1;
        private byte[] _person = new byte[64];
        private int _personLength = -1;
        private char[] _siteChars = new char[64];
        private char[] _personChars = new char[64];
        private int _personCharsLength;
        private (ProjectState[] Projects, WorkerState? Worker, bool Registered) _match;

        /// <summary>As <see cref="ReconciliationLedger.Resolve"/>, with the site and person ids in UTF-8.</summary>
        /// <remarks>Ids are compared with the last ones as bytes; only a new one is decoded to be looked up.</remarks>
        public ResolvedPunch Resolve(ReadOnlySpan<byte> siteId, ReadOnlySpan<byte> personId, Direction direction, DateTimeOffset occurredAt)
        {
            if (!Same(siteId, _site, _siteLength) || !Same(personId, _person, _personLength))
            {
                var siteLength = Decode(siteId, ref _siteChars);
                _personCharsLength = Decode(personId, ref _personChars);
                _match = ledger.Match(_siteChars.AsSpan(0, siteLength), _personChars.AsSpan(0, _personCharsLength));
                _siteLength = Keep(ref _site, siteId);
                _personLength = Keep(ref _person, personId);
            }

            return ledger.Resolved(_match, _personChars.AsSpan(0, _personCharsLength), null, direction, occurredAt);
        }

        private static bool Same(ReadOnlySpan<byte> value, byte[] kept, int keptLength) =>
            value.Length == keptLength && value.SequenceEqual(kept.AsSpan(0, keptLength));

        private static int Keep(ref byte[] buffer, ReadOnlySpan<byte> value)
        {
            if (buffer.Length < value.Length)
            {
                buffer = new byte[value.Length];
            }

            value.CopyTo(buffer);
            return value.Length;
        }

        // UTF-8 never takes fewer bytes than UTF-16 takes chars; ASCII, nearly every id, is widened without the decoder.
        private static int Decode(ReadOnlySpan<byte> utf8, ref char[] buffer)
        {
            if (buffer.Length < utf8.Length)
            {
                buffer = new char[utf8.Length];
            }

            return Ascii.ToUtf16(utf8, buffer, out var widened) == System.Buffers.OperationStatus.Done ? widened : Encoding.UTF8.GetChars(utf8, buffer);
        }
    }

    private void AddPunch(in ResolvedPunch punch, List<Touch>? touches)
    {
        var projects = punch.Projects;
        var registered = false;
        for (var i = 0; i < projects.Length; i++)
        {
            var project = projects[i];
            var local = i == 0 || project.Project.TimeZone == projects[0].Project.TimeZone
                ? punch.LocalInFirstZone
                : project.Clock.LocalTime(punch.OccurredAt);
            var date = DateOnly.FromDateTime(local);
            project.AddPunchDay(date.DayNumber);
            touches?.Add(new Touch(project.Scope, date));
            if (punch.Worker is not { } worker || !worker.IsEnrolledAt(project))
            {
                continue;
            }

            registered = true;

            // Year, month and day in one calendar computation, and the second of the day in whole
            // numbers: this runs for every one of tens of millions of punches.
            local.Deconstruct(out int year, out int month, out int day);
            var scope = new Scope(ScopeKind.WorkerMonth, project.Project.ProjectId, worker.WorkerId, new YearMonth(year, month));
            WorkerMonthOf(worker, scope).Record(day, (int)(local.Ticks % TimeSpan.TicksPerDay / TimeSpan.TicksPerSecond), punch.Direction);
            touches?.Add(new Touch(scope, date));
        }

        if (!registered)
        {
            // A site shared by projects is reported once, under the first of them.
            var date = DateOnly.FromDateTime(punch.LocalInFirstZone);
            var scope = new Scope(ScopeKind.Unregistered, projects.Length > 0 ? projects[0].Project.ProjectId : null, punch.UnregisteredPersonId!, YearMonth.Of(date));
            _unregistered[scope] = _unregistered.GetValueOrDefault(scope) | DayBit(date.Day);
            _changes?.Track(scope);
            touches?.Add(new Touch(scope, date));
        }
    }

    /// <summary>
    /// Links and folds in a payout (see the design's "Linking a payout"); returns the scopes it
    /// changed, none when its transaction id was added before.
    /// </summary>
    public IReadOnlyList<Touch> AddPayout(Payout payout)
    {
        if (!_txnIds.Add(payout.TxnId))
        {
            return [];
        }

        _changes?.Index(payout);
        return [Link(payout)];
    }

    // Ties a payout to a worker or payee and a project, as the registry stands now.
    private Touch Link(Payout payout)
    {
        var link = PayoutLink.None;
        string? workerId = null;
        if (payout.PayeeIdHash is not null && _workerByIdHash.TryGetValue(payout.PayeeIdHash, out workerId))
        {
            link = PayoutLink.IdNumber;
        }
        else if (_workerByAccountHash.TryGetValue(payout.PayeeAccountHash, out workerId))
        {
            link = PayoutLink.BankAccount;
        }

        var project = _projectByWageAccount.GetValueOrDefault(payout.PayerAccountHash);
        var fromWageAccount = project is not null;
        if (project is null && workerId is not null)
        {
            project = _projects[ProjectOfWorker(workerId, payout.WageMonth).ProjectId];
        }

        var zone = project?.TimeZone ?? _settings.DefaultTimeZone;
        var paidDate = payout.PaidAt.DateIn(zone);
        var differs = false;
        if (workerId is not null)
        {
            var record = _workers[workerId].Enrolments[0];
            differs = !SameName(payout.PayeeName, record.Name) || (payout.PayeeIdHash is not null && payout.PayeeIdHash != record.IdNumberHash);
        }

        var linked = new LinkedPayout(payout, link, fromWageAccount, paidDate, payout.PaidAt.InstantIn(zone), differs);
        Scope scope;
        if (workerId is not null)
        {
            scope = new Scope(ScopeKind.WorkerMonth, project!.ProjectId, workerId, payout.WageMonth);
            (WorkerMonthOf(scope).Payouts ??= []).Add(linked);
        }
        else
        {
            scope = new Scope(ScopeKind.PayeeMonth, project?.ProjectId, payout.PayeeIdHash ?? payout.PayeeAccountHash, payout.WageMonth);
            if (!_payeeMonths.TryGetValue(scope, out var list))
            {
                _payeeMonths[scope] = list = [];
            }

            list.Add(linked);
        }

        _changes?.Track(scope);
        _changes?.Place(payout, scope);
        return new Touch(scope, paidDate);
    }

    /// <summary>Whether a payout with this transaction id was added.</summary>
    public bool HasTransaction(string txnId) => _txnIds.Contains(txnId);

    /// <summary>Every scope with events, and every project.</summary>
    public IEnumerable<Scope> AllScopes() =>
        _projects.Keys.Select(p => new Scope(ScopeKind.Project, p, "", default))
            .Concat(_workerMonths.Keys).Concat(_payeeMonths.Keys).Concat(_unregistered.Keys);

    /// <summary>The day from which a scope's alerts change with no new event (its wages fall due), or <c>null</c>.</summary>
    public DateOnly? DueChangeDate(Scope scope) =>
        scope.Kind == ScopeKind.WorkerMonth ? WagePolicy.DueDate(_projects[scope.ProjectId!], scope.Month).AddDays(1) : null;

    /// <summary>The attendance of a worker at a project in a month, up to <paramref name="asOf"/>.</summary>
    public IReadOnlyList<AttendanceDay> AttendanceOf(string workerId, string projectId, YearMonth month, DateOnly asOf)
    {
        if (!_workerMonths.TryGetValue(new Scope(ScopeKind.WorkerMonth, projectId, workerId, month), out var wm))
        {
            return [];
        }

        var days = new List<AttendanceDay>();
        var visible = VisibleDays(wm.Days, month, asOf);
        for (var day = 1; day <= month.DaysInMonth; day++)
        {
            if ((visible & DayBit(day)) != 0)
            {
                days.Add(new AttendanceDay(new DateOnly(month.Year, month.Month, day), TimeOf(wm.FirstIn, day), TimeOf(wm.LastOut, day)));
            }
        }

        return days;
    }

    /// <summary>The payouts linked to a worker's month at a project that are visible on <paramref name="asOf"/>, in payment order.</summary>
    public IReadOnlyList<LinkedPayout> PayoutsOf(string workerId, string projectId, YearMonth month, DateOnly asOf) =>
        _workerMonths.TryGetValue(new Scope(ScopeKind.WorkerMonth, projectId, workerId, month), out var wm) ? VisiblePayouts(wm.Payouts, asOf) : [];

    /// <summary>The alerts of <paramref name="scope"/> standing at the end of <paramref name="asOf"/>, in the scope's zone.</summary>
    public IReadOnlyList<Alert> Evaluate(Scope scope, DateOnly asOf)
    {
        var alerts = new List<Alert>();
        switch (scope.Kind)
        {
            case ScopeKind.WorkerMonth:
                EvaluateWorkerMonth(scope, asOf, alerts);
                break;
            case ScopeKind.PayeeMonth:
                EvaluatePayeeMonth(scope, asOf, alerts);
                break;
            case ScopeKind.Project:
                EvaluateProject(scope, asOf, alerts);
                break;
            case ScopeKind.Unregistered:
                EvaluateUnregistered(scope, asOf, alerts);
                break;
        }

        return alerts;
    }

    /// <summary>What the rules see of a worker's month: attended days, expected and paid, up to <paramref name="asOf"/>.</summary>
    public WorkerMonthFigures? FiguresOf(string workerId, string projectId, YearMonth month, DateOnly asOf)
    {
        var scope = new Scope(ScopeKind.WorkerMonth, projectId, workerId, month);
        if (!_workerMonths.TryGetValue(scope, out var wm) || !_projects.TryGetValue(projectId, out var project))
        {
            return null;
        }

        var days = BitOperations.PopCount(VisibleDays(wm.Days, month, asOf));
        var entry = Enrolment(workerId, projectId);
        var paid = VisiblePayouts(wm.Payouts, asOf).Where(p => p.Succeeded).Sum(p => p.Payout.Amount);
        return new WorkerMonthFigures(days, entry is null ? null : WagePolicy.ExpectedPay(entry, month, days), paid, WagePolicy.DueDate(project, month));
    }

    private void EvaluateWorkerMonth(Scope scope, DateOnly asOf, List<Alert> alerts)
    {
        if (!_workerMonths.TryGetValue(scope, out var wm))
        {
            return;
        }

        var project = _projects[scope.ProjectId!];
        var month = scope.Month;
        var days = BitOperations.PopCount(VisibleDays(wm.Days, month, asOf));
        var entry = Enrolment(scope.Subject, project.ProjectId);
        // Most months have one successful payout or none: the lists below are only built when
        // something is to be reported, which halves the allocations of a million-scope evaluation.
        var visible = VisiblePayouts(wm.Payouts, asOf);
        var successes = visible.TrueForAll(p => p.Succeeded) ? visible : visible.FindAll(p => p.Succeeded);
        var paid = 0m;
        foreach (var payout in successes)
        {
            paid += payout.Payout.Amount;
        }

        decimal? expected = entry is null ? null : WagePolicy.ExpectedPay(entry, month, days);
        var due = WagePolicy.DueDate(project, month);
        Alert Make(AlertType type, AlertSeverity severity, decimal? paidFigure, string detail) =>
            new(type, severity, project.ProjectId, scope.Subject, month, expected, paidFigure, days, detail);

        if (entry is not null && days > 0)
        {
            var owed = expected!.Value;
            var threshold = WagePolicy.FullPaymentThreshold(project, owed);
            if (successes.Count == 0)
            {
                if (asOf > due)
                {
                    alerts.Add(Make(AlertType.Unpaid, AlertSeverity.High, 0m, Text($"Attended {days} day(s) in {month}; {owed:F2} expected, nothing paid by the due date {due:yyyy-MM-dd}.")));
                }
            }
            else if (paid < threshold)
            {
                if (asOf > due)
                {
                    alerts.Add(Make(AlertType.Underpaid, AlertSeverity.High, paid, Text($"Attended {days} day(s) in {month}; {owed:F2} expected, {paid:F2} paid ({owed - paid:F2} short, tolerance {project.Tolerance:0.####}); due {due:yyyy-MM-dd}.")));
                }
            }
            else
            {
                var running = 0m;
                foreach (var payout in successes)
                {
                    running += payout.Payout.Amount;
                    if (running >= threshold)
                    {
                        if (payout.PaidDate > due)
                        {
                            alerts.Add(Make(AlertType.Late, AlertSeverity.Medium, paid, Text($"Paid in full on {payout.PaidDate:yyyy-MM-dd}, {payout.PaidDate.DayNumber - due.DayNumber} day(s) after the due date {due:yyyy-MM-dd}.")));
                        }

                        break;
                    }
                }
            }
        }

        if (successes.Count > 0 && days == 0)
        {
            var why = entry is null ? $"is not on the roster of {project.ProjectId}" : $"has no attendance at {project.ProjectId} in {month}";
            alerts.Add(Make(AlertType.PaidWithoutAttendance, AlertSeverity.High, paid, Text($"{paid:F2} paid for {month} ({Transactions(successes)}), but the worker {why}.")));
        }

        if (successes.Exists(p => !p.FromWageAccount))
        {
            var wrongPayer = successes.FindAll(p => !p.FromWageAccount);
            var accounts = string.Join(", ", wrongPayer.Select(p => p.Payout.PayerAccountMasked).Distinct(StringComparer.Ordinal));
            alerts.Add(Make(AlertType.NotFromWageAccount, AlertSeverity.Medium, wrongPayer.Sum(p => p.Payout.Amount),
                Text($"Paid from {accounts}, which is not the wage account of {project.ProjectId} ({project.WageAccountMasked}) ({Transactions(wrongPayer)}).")));
        }

        if (visible.Exists(p => p.PayeeDiffers))
        {
            var mismatched = visible.FindAll(p => p.PayeeDiffers);
            var ids = string.Join(", ", mismatched.Select(p => p.Payout.PayeeIdMasked ?? "no ID").Distinct(StringComparer.Ordinal));
            alerts.Add(Make(AlertType.PayeeMismatch, AlertSeverity.Medium, mismatched.Where(p => p.Succeeded).Sum(p => p.Payout.Amount),
                Text($"Payee on the bank record (name '{string.Join("', '", mismatched.Select(p => p.Payout.PayeeName).Distinct(StringComparer.Ordinal))}', ID {ids}) does not match the worker's real-name record; linked by {LinkName(mismatched[0].Link)} ({Transactions(mismatched)}).")));
        }

        if (FailedForGood(visible) is { Count: > 0 } failed)
        {
            alerts.Add(Make(AlertType.PayoutFailed, AlertSeverity.High, 0m, Text($"The bank reported {failed.Sum(p => p.Payout.Amount):F2} as failed and no successful payment followed ({Transactions(failed)}).")));
        }

        var cap = project.ExcessivePayCap ?? _settings.ExcessivePayCap;
        if (paid > cap)
        {
            alerts.Add(Make(AlertType.ExcessivePay, AlertSeverity.High, paid, Text($"{paid:F2} paid for {month}, over the cap of {cap:F2} ({Transactions(successes)}).")));
        }
    }

    private void EvaluatePayeeMonth(Scope scope, DateOnly asOf, List<Alert> alerts)
    {
        if (!_payeeMonths.TryGetValue(scope, out var payouts))
        {
            return;
        }

        var visible = VisiblePayouts(payouts, asOf);
        var successes = visible.Where(p => p.Succeeded).ToList();
        if (successes.Count > 0)
        {
            var paid = successes.Sum(p => p.Payout.Amount);
            var first = successes[0].Payout;
            alerts.Add(new Alert(AlertType.PaidWithoutAttendance, AlertSeverity.High, scope.ProjectId, null, scope.Month, null, paid, 0,
                Text($"{paid:F2} paid for {scope.Month} to '{first.PayeeName}' (account {first.PayeeAccountMasked}, ID {first.PayeeIdMasked ?? "none"}), who is on no roster ({Transactions(successes)})."),
                scope.Subject));
        }

        if (FailedForGood(visible) is { Count: > 0 } failed)
        {
            alerts.Add(new Alert(AlertType.PayoutFailed, AlertSeverity.High, scope.ProjectId, null, scope.Month, null, 0m, 0,
                Text($"The bank reported {failed.Sum(p => p.Payout.Amount):F2} to account {failed[0].Payout.PayeeAccountMasked} as failed and no successful payment followed ({Transactions(failed)})."),
                scope.Subject));
        }
    }

    private void EvaluateProject(Scope scope, DateOnly asOf, List<Alert> alerts)
    {
        var project = _projects[scope.ProjectId!];
        DateOnly? earliestActiveStart = null;
        var state = _projectStates[project.ProjectId];
        foreach (var entry in state.Roster)
        {
            if (entry.EmployedOn(asOf) && (earliestActiveStart is null || entry.StartDate < earliestActiveStart))
            {
                earliestActiveStart = entry.StartDate;
            }
        }

        if (earliestActiveStart is not { } start)
        {
            return;
        }

        // Silence is counted from the last punch, or from the day before the earliest start of
        // the workers employed now, whichever is later: a project is not silent before anyone works there.
        var last = start.DayNumber - 1;
        foreach (var day in state.PunchDays)
        {
            if (day <= asOf.DayNumber && day > last)
            {
                last = day;
            }
        }

        var silent = asOf.DayNumber - last;
        var threshold = project.NoAttendanceDays ?? _settings.NoAttendanceDays;
        if (silent >= threshold)
        {
            alerts.Add(new Alert(AlertType.NoAttendance, AlertSeverity.Medium, project.ProjectId, null, null, null, null, silent,
                Text($"No punches at {project.ProjectId} for {silent} day(s) (threshold {threshold}) while {state.Roster.Count(e => e.EmployedOn(asOf))} worker(s) are employed.")));
        }
    }

    private void EvaluateUnregistered(Scope scope, DateOnly asOf, List<Alert> alerts)
    {
        var days = _unregistered.TryGetValue(scope, out var bits) ? BitOperations.PopCount(VisibleDays(bits, scope.Month, asOf)) : 0;
        if (days > 0)
        {
            var where = scope.ProjectId is null ? "a site of no registered project" : $"a site of {scope.ProjectId}";
            alerts.Add(new Alert(AlertType.UnregisteredPunch, AlertSeverity.Low, scope.ProjectId, scope.Subject, scope.Month, null, null, days,
                Text($"Person '{scope.Subject}' punched at {where} on {days} day(s) in {scope.Month} but is on no roster of the site.")));
        }
    }

    private RosterEntry? Enrolment(string workerId, string projectId) =>
        _workers.GetValueOrDefault(workerId)?.EnrolmentAt(projectId);

    // A payout from no project's wage account belongs to the worker's project; for a worker on
    // several, the first (by id) that employs them in the wage month, else their first. The choice
    // depends on the registry only, so a payout never moves when punches arrive.
    private RosterEntry ProjectOfWorker(string workerId, YearMonth month)
    {
        var entries = _workers[workerId].Enrolments;
        return Array.Find(entries, e => e.StartDate <= month.Last && (e.EndDate is null || e.EndDate >= month.First)) ?? entries[0];
    }

    // A worker's punches come in runs of the same month and project: the last month found is
    // kept on the worker, which spares the dictionary lookup for most punches of the bulk path.
    private WorkerMonth WorkerMonthOf(WorkerState worker, Scope scope)
    {
        if (worker.LastMonth is { } last && worker.LastMonthScope == scope)
        {
            return last;
        }

        var wm = WorkerMonthOf(scope);
        worker.LastMonthScope = scope;
        worker.LastMonth = wm;
        return wm;
    }

    private WorkerMonth WorkerMonthOf(Scope scope)
    {
        if (!_workerMonths.TryGetValue(scope, out var wm))
        {
            _workerMonths[scope] = wm = new WorkerMonth();
            _changes?.Track(scope);
        }

        return wm;
    }

    // Shared by every scope without payouts; never changed (callers only read what these methods return).
    private static readonly List<LinkedPayout> NoPayouts = [];

    private static List<LinkedPayout> VisiblePayouts(List<LinkedPayout>? payouts, DateOnly asOf)
    {
        if (payouts is null || payouts.Count == 0)
        {
            return NoPayouts;
        }

        var visible = payouts.FindAll(p => p.PaidDate <= asOf);
        visible.Sort(static (a, b) =>
        {
            var byTime = a.PaidInstant.CompareTo(b.PaidInstant);
            return byTime != 0 ? byTime : string.CompareOrdinal(a.Payout.TxnId, b.Payout.TxnId);
        });
        return visible;
    }

    // A failure stands until a successful payment of the same scope on the same day or later:
    // a retry by the bank or a corrected payment by the employer both put the money there.
    private static List<LinkedPayout> FailedForGood(List<LinkedPayout> visible)
    {
        if (visible.TrueForAll(p => p.Succeeded))
        {
            return NoPayouts;
        }

        var lastSuccess = visible.Where(p => p.Succeeded).Select(p => p.PaidDate).DefaultIfEmpty(DateOnly.MinValue).Max();
        return visible.Where(p => !p.Succeeded && p.PaidDate > lastSuccess).ToList();
    }

    private static uint VisibleDays(uint days, YearMonth month, DateOnly asOf)
    {
        var asOfMonth = YearMonth.Of(asOf);
        if (month < asOfMonth)
        {
            return days;
        }

        return month > asOfMonth ? 0u : days & (uint)((1UL << asOf.Day) - 1);
    }

    private static uint DayBit(int day) => 1u << (day - 1);

    private static TimeOnly? TimeOf(int[]? seconds, int day) =>
        seconds is null || seconds[day - 1] < 0 ? null : TimeOnly.FromTimeSpan(TimeSpan.FromSeconds(seconds[day - 1]));

    private static bool SameName(string a, string b) => string.Equals(a, b, StringComparison.Ordinal) || string.Equals(NameKey(a), NameKey(b), StringComparison.OrdinalIgnoreCase);

    // Banks write names with full-width characters or spaces between the characters; neither is a different person.
    private static string NameKey(string name)
    {
        var normalized = name.Normalize(NormalizationForm.FormKC);
        var builder = new StringBuilder(normalized.Length);
        foreach (var c in normalized)
        {
            if (!char.IsWhiteSpace(c) && c != '·' && c != '.')
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static string LinkName(PayoutLink link) => link == PayoutLink.IdNumber ? "ID number" : "bank account";

    private static string Transactions(List<LinkedPayout> payouts) =>
        (payouts.Count == 1 ? "txn " : "txns ") + string.Join(", ", payouts.Select(p => p.Payout.TxnId));

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>A project and what the ledger has gathered about it: its roster and the days (day numbers) with punches at its sites.</summary>
    internal sealed class ProjectState(Project project)
    {
        /// <summary>The project as registered now (replaced by a registry change).</summary>
        public Project Project
        {
            get;
            set
            {
                field = value;
                Clock = new ZoneClock(value.TimeZone);
            }
        } = project;

        /// <summary>Reads instants in the project's zone.</summary>
        public ZoneClock Clock { get; private set; } = new(project.TimeZone);

        public Scope Scope { get; } = new(ScopeKind.Project, project.ProjectId, "", default);

        public List<RosterEntry> Roster { get; } = [];

        public HashSet<int> PunchDays { get; } = [];

        // A site's punches come in runs of the same day: most are not hashed into PunchDays again.
        private int _lastPunchDay = -1;

        public void AddPunchDay(int dayNumber)
        {
            if (dayNumber != _lastPunchDay)
            {
                PunchDays.Add(dayNumber);
                _lastPunchDay = dayNumber;
            }
        }

        public void ClearPunchDays()
        {
            PunchDays.Clear();
            _lastPunchDay = -1;
        }
    }

    /// <summary>A worker on the roster: their enrolments, ordered by project id.</summary>
    internal sealed class WorkerState(string workerId)
    {
        public string WorkerId { get; } = workerId;

        public RosterEntry[] Enrolments { get; private set; } = [];

        /// <summary>The projects of <see cref="Enrolments"/>, in the same order: punches match them by reference.</summary>
        public ProjectState[] Projects { get; private set; } = [];

        public Scope LastMonthScope { get; set; }

        public WorkerMonth? LastMonth { get; set; }

        public void Enrol(RosterEntry entry, ProjectState project)
        {
            var at = 0;
            while (at < Enrolments.Length && string.CompareOrdinal(Enrolments[at].ProjectId, entry.ProjectId) < 0)
            {
                at++;
            }

            Enrolments = [.. Enrolments.AsSpan(0, at), entry, .. Enrolments.AsSpan(at)];
            Projects = [.. Projects.AsSpan(0, at), project, .. Projects.AsSpan(at)];
        }

        public void Replace(RosterEntry old, RosterEntry entry) => Enrolments[Array.IndexOf(Enrolments, old)] = entry;

        /// <summary>Whether the worker is on the project's roster; unlike <see cref="EnrolmentAt(ProjectState)"/> it reads no roster entry, one memory access less per punch.</summary>
        public bool IsEnrolledAt(ProjectState project)
        {
            foreach (var enrolled in Projects)
            {
                if (ReferenceEquals(enrolled, project))
                {
                    return true;
                }
            }

            return false;
        }

        public RosterEntry? EnrolmentAt(ProjectState project)
        {
            var projects = Projects;
            for (var i = 0; i < projects.Length; i++)
            {
                if (ReferenceEquals(projects[i], project))
                {
                    return Enrolments[i];
                }
            }

            return null;
        }

        public RosterEntry? EnrolmentAt(string projectId)
        {
            foreach (var entry in Enrolments)
            {
                if (string.Equals(entry.ProjectId, projectId, StringComparison.Ordinal))
                {
                    return entry;
                }
            }

            return null;
        }
    }

    /// <summary>A worker's month at a project: days attended (bit d−1 for day d), first in / last out, payouts.</summary>
    internal sealed class WorkerMonth
    {
        public uint Days;
        public int[]? FirstIn;
        public int[]? LastOut;
        public List<LinkedPayout>? Payouts;

        public void Record(int day, int secondOfDay, Direction direction)
        {
            Days |= DayBit(day);
            if (direction == Direction.In)
            {
                FirstIn ??= NewDayArray();
                if (FirstIn[day - 1] < 0 || secondOfDay < FirstIn[day - 1])
                {
                    FirstIn[day - 1] = secondOfDay;
                }
            }
            else if (direction == Direction.Out)
            {
                LastOut ??= NewDayArray();
                if (secondOfDay > LastOut[day - 1])
                {
                    LastOut[day - 1] = secondOfDay;
                }
            }
        }

        private static int[] NewDayArray()
        {
            var array = new int[31];
            Array.Fill(array, -1);
            return array;
        }
    }
}

/// <summary>A worker's month at a project as the rules see it.</summary>
/// <param name="AttendedDays">Days with a punch at the project.</param>
/// <param name="Expected">Expected pay, or <c>null</c> when the worker is not on the project's roster.</param>
/// <param name="Paid">Successful payments for the month.</param>
/// <param name="DueDate">When the month's wages are due.</param>
public sealed record WorkerMonthFigures(int AttendedDays, decimal? Expected, decimal Paid, DateOnly DueDate);

/// <summary>
/// A punch matched to a ledger's registry by <see cref="ReconciliationLedger.Resolve"/>, ready to be
/// folded in by <see cref="ReconciliationLedger.AddPunch(in ResolvedPunch)"/>.
/// </summary>
public readonly struct ResolvedPunch
{
    internal ResolvedPunch(ReconciliationLedger.ProjectState[] projects, ReconciliationLedger.WorkerState? worker, string? unregisteredPersonId, Direction direction, DateTimeOffset occurredAt, DateTime localInFirstZone)
    {
        Projects = projects;
        Worker = worker;
        UnregisteredPersonId = unregisteredPersonId;
        Direction = direction;
        OccurredAt = occurredAt;
        LocalInFirstZone = localInFirstZone;
    }

    /// <summary>The projects of the punch's site (none when the site is no project's).</summary>
    internal ReconciliationLedger.ProjectState[] Projects { get; }

    /// <summary>The person as a worker on some roster, or <c>null</c>.</summary>
    internal ReconciliationLedger.WorkerState? Worker { get; }

    /// <summary>The person's id when they are on the roster of none of the site's projects (an <c>UNREGISTERED_PUNCH</c>).</summary>
    internal string? UnregisteredPersonId { get; }

    internal Direction Direction { get; }

    internal DateTimeOffset OccurredAt { get; }

    /// <summary>The time in the zone of the site's first project, or the default zone when it has none.</summary>
    internal DateTime LocalInFirstZone { get; }
}
