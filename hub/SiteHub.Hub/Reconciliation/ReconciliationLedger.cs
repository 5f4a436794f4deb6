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
public sealed class ReconciliationLedger
{
    private readonly ReconciliationSettings _settings;
    private readonly Dictionary<string, Project> _projects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Project[]> _projectsBySite = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Project> _projectByWageAccount = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RosterEntry[]> _enrolments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<RosterEntry>> _rosterByProject = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _workerByIdHash = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _workerByAccountHash = new(StringComparer.Ordinal);
    private readonly Dictionary<Scope, WorkerMonth> _workerMonths = [];
    private readonly Dictionary<Scope, List<LinkedPayout>> _payeeMonths = [];
    private readonly Dictionary<string, HashSet<int>> _punchDays = new(StringComparer.Ordinal);
    private readonly Dictionary<Scope, uint> _unregistered = [];
    private readonly HashSet<string> _txnIds = new(StringComparer.Ordinal);

    /// <param name="projects">The projects (ids unique; the first of a duplicate wins).</param>
    /// <param name="roster">The roster entries (one per worker and project).</param>
    /// <param name="settings">Defaults of the per-project thresholds.</param>
    public ReconciliationLedger(IEnumerable<Project> projects, IEnumerable<RosterEntry> roster, ReconciliationSettings settings)
    {
        _settings = settings;
        foreach (var project in projects.OrderBy(p => p.ProjectId, StringComparer.Ordinal))
        {
            if (!_projects.TryAdd(project.ProjectId, project))
            {
                continue;
            }

            _projectByWageAccount.TryAdd(project.WageAccountHash, project);
            _rosterByProject[project.ProjectId] = [];
            _punchDays[project.ProjectId] = [];
            foreach (var site in project.SiteIds)
            {
                _projectsBySite[site] = [.. _projectsBySite.GetValueOrDefault(site) ?? [], project];
            }
        }

        var byWorker = new Dictionary<string, List<RosterEntry>>(StringComparer.Ordinal);
        foreach (var entry in roster)
        {
            if (!_rosterByProject.TryGetValue(entry.ProjectId, out var projectRoster))
            {
                continue;
            }

            if (!byWorker.TryGetValue(entry.WorkerId, out var entries))
            {
                byWorker[entry.WorkerId] = entries = [];
            }

            if (entries.Exists(e => e.ProjectId == entry.ProjectId))
            {
                continue;
            }

            entries.Add(entry);
            projectRoster.Add(entry);
            _workerByIdHash.TryAdd(entry.IdNumberHash, entry.WorkerId);
            _workerByAccountHash.TryAdd(entry.BankAccountHash, entry.WorkerId);
        }

        foreach (var (worker, entries) in byWorker)
        {
            _enrolments[worker] = [.. entries.OrderBy(e => e.ProjectId, StringComparer.Ordinal)];
        }
    }

    /// <summary>The projects, by id.</summary>
    public IReadOnlyDictionary<string, Project> Projects => _projects;

    /// <summary>The roster entries of a worker, ordered by project id (empty when not on any roster).</summary>
    public IReadOnlyList<RosterEntry> EnrolmentsOf(string workerId) => _enrolments.GetValueOrDefault(workerId) ?? [];

    /// <summary>The roster of a project.</summary>
    public IReadOnlyList<RosterEntry> RosterOf(string projectId) => _rosterByProject.GetValueOrDefault(projectId) ?? [];

    /// <summary>Folds in a punch; returns the scopes it changed.</summary>
    public IReadOnlyList<Touch> AddPunch(GatePunch punch)
    {
        var touches = new List<Touch>(2);
        var projects = _projectsBySite.GetValueOrDefault(punch.SiteId) ?? [];
        var enrolments = _enrolments.GetValueOrDefault(punch.PersonId);
        var registered = false;
        foreach (var project in projects)
        {
            var local = TimeZoneInfo.ConvertTime(punch.OccurredAt, project.TimeZone).DateTime;
            var date = DateOnly.FromDateTime(local);
            _punchDays[project.ProjectId].Add(date.DayNumber);
            touches.Add(new Touch(new Scope(ScopeKind.Project, project.ProjectId, "", default), date));
            if (enrolments is null || Array.Find(enrolments, e => e.ProjectId == project.ProjectId) is null)
            {
                continue;
            }

            registered = true;
            var scope = new Scope(ScopeKind.WorkerMonth, project.ProjectId, punch.PersonId, YearMonth.Of(date));
            WorkerMonthOf(scope).Record(date.Day, (int)local.TimeOfDay.TotalSeconds, punch.Direction);
            touches.Add(new Touch(scope, date));
        }

        if (!registered)
        {
            // A site shared by projects is reported once, under the first of them.
            var project = projects.Length > 0 ? projects[0] : null;
            var date = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(punch.OccurredAt, project?.TimeZone ?? _settings.DefaultTimeZone).DateTime);
            var scope = new Scope(ScopeKind.Unregistered, project?.ProjectId, punch.PersonId, YearMonth.Of(date));
            _unregistered[scope] = _unregistered.GetValueOrDefault(scope) | DayBit(date.Day);
            touches.Add(new Touch(scope, date));
        }

        return touches;
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
            var record = _enrolments[workerId][0];
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

        return [new Touch(scope, paidDate)];
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
        var visible = VisiblePayouts(wm.Payouts, asOf);
        var successes = visible.Where(p => p.Succeeded).ToList();
        var paid = successes.Sum(p => p.Payout.Amount);
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

        var wrongPayer = successes.Where(p => !p.FromWageAccount).ToList();
        if (wrongPayer.Count > 0)
        {
            var accounts = string.Join(", ", wrongPayer.Select(p => p.Payout.PayerAccountMasked).Distinct(StringComparer.Ordinal));
            alerts.Add(Make(AlertType.NotFromWageAccount, AlertSeverity.Medium, wrongPayer.Sum(p => p.Payout.Amount),
                Text($"Paid from {accounts}, which is not the wage account of {project.ProjectId} ({project.WageAccountMasked}) ({Transactions(wrongPayer)}).")));
        }

        var mismatched = visible.Where(p => p.PayeeDiffers).ToList();
        if (mismatched.Count > 0)
        {
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
        foreach (var entry in _rosterByProject[project.ProjectId])
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
        foreach (var day in _punchDays[project.ProjectId])
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
                Text($"No punches at {project.ProjectId} for {silent} day(s) (threshold {threshold}) while {_rosterByProject[project.ProjectId].Count(e => e.EmployedOn(asOf))} worker(s) are employed.")));
        }
    }

    private void EvaluateUnregistered(Scope scope, DateOnly asOf, List<Alert> alerts)
    {
        var days = BitOperations.PopCount(VisibleDays(_unregistered[scope], scope.Month, asOf));
        if (days > 0)
        {
            var where = scope.ProjectId is null ? "a site of no registered project" : $"a site of {scope.ProjectId}";
            alerts.Add(new Alert(AlertType.UnregisteredPunch, AlertSeverity.Low, scope.ProjectId, scope.Subject, scope.Month, null, null, days,
                Text($"Person '{scope.Subject}' punched at {where} on {days} day(s) in {scope.Month} but is on no roster of the site.")));
        }
    }

    private RosterEntry? Enrolment(string workerId, string projectId) =>
        _enrolments.TryGetValue(workerId, out var entries) ? Array.Find(entries, e => e.ProjectId == projectId) : null;

    // A payout from no project's wage account belongs to the worker's project; for a worker on
    // several, the first (by id) that employs them in the wage month, else their first. The choice
    // depends on the registry only, so a payout never moves when punches arrive.
    private RosterEntry ProjectOfWorker(string workerId, YearMonth month)
    {
        var entries = _enrolments[workerId];
        return Array.Find(entries, e => e.StartDate <= month.Last && (e.EndDate is null || e.EndDate >= month.First)) ?? entries[0];
    }

    private WorkerMonth WorkerMonthOf(Scope scope)
    {
        if (!_workerMonths.TryGetValue(scope, out var wm))
        {
            _workerMonths[scope] = wm = new WorkerMonth();
        }

        return wm;
    }

    private static List<LinkedPayout> VisiblePayouts(List<LinkedPayout>? payouts, DateOnly asOf)
    {
        if (payouts is null)
        {
            return [];
        }

        var visible = payouts.Where(p => p.PaidDate <= asOf).ToList();
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

    private static bool SameName(string a, string b) => string.Equals(NameKey(a), NameKey(b), StringComparison.OrdinalIgnoreCase);

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

    /// <summary>A worker's month at a project: days attended (bit d−1 for day d), first in / last out, payouts.</summary>
    private sealed class WorkerMonth
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
