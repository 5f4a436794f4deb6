using System.Globalization;
using System.Threading.Channels;
using SiteHub.Hub.Ingest;
using SiteHub.Hub.Reconciliation;
using SiteHub.Hub.Registry;

namespace SiteHub.Hub.Alerts;

/// <summary>
/// The live path of the rules: the same <see cref="ReconciliationLedger"/> and
/// <see cref="IncrementalReconciler"/> as the bulk <c>reconcile</c>, fed by every punch the hub
/// commits (through a queue, so acks never wait for the rules), every imported payout and the
/// clock; what changes is written to the <see cref="AlertStore"/>. A change to the registry is
/// folded in for the projects and workers it names (<see cref="RegistryChanged"/>): the ledger
/// keeps each person's punches for that, so nothing is replayed from the stores.
/// </summary>
/// <remarks>
/// One lock serialises the engine (it is not thread-safe) and its queries. If writing alerts
/// fails, the engine has still taken the events in: the next tick syncs the stored alerts with
/// the engine's standing ones, so nothing is lost, only late.
/// </remarks>
public sealed partial class LiveReconciler
{
    private const int ReplayPage = 10_000;
    private readonly Lock _gate = new();
    private readonly Channel<IReadOnlyList<StoredPunch>> _queue = Channel.CreateUnbounded<IReadOnlyList<StoredPunch>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly RegistryStore _registry;
    private readonly AlertStore _alerts;
    private readonly PunchStore _punches;
    private readonly TimeProvider _clock;
    private readonly RuleSettingsStore _ruleSettings;
    private ReconciliationSettings _settings;
    private readonly ILogger<LiveReconciler> _logger;
    private IncrementalReconciler _engine = null!;
    private long _appliedSeq;
    private int _queued;
    private bool _needsSync;

    public LiveReconciler(RegistryStore registry, AlertStore alerts, PunchStore punches, TimeProvider clock, RuleSettingsStore ruleSettings, ILogger<LiveReconciler> logger)
    {
        _registry = registry;
        _alerts = alerts;
        _punches = punches;
        _clock = clock;
        _ruleSettings = ruleSettings;
        _settings = ruleSettings.Effective();
        _logger = logger;

        // Subscribe before the replay: a punch seen by both is folded in twice, which changes nothing.
        punches.Committed += batch =>
        {
            Interlocked.Increment(ref _queued);
            _queue.Writer.TryWrite(batch);
        };
        Rebuild();
    }

    /// <summary>Today in the rules' default zone: the day the standing alerts are evaluated for.</summary>
    public DateOnly Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(_clock.GetUtcNow(), _settings.DefaultTimeZone).DateTime);

    /// <summary>Committed punches waiting for the rules.</summary>
    internal ChannelReader<IReadOnlyList<StoredPunch>> Queue => _queue.Reader;

    /// <summary>Where the live rules stand: their day, and the last punch (hub sequence) they have taken in.</summary>
    public ReconciliationState State
    {
        get
        {
            lock (_gate)
            {
                return new ReconciliationState(_engine.AsOf, Interlocked.Read(ref _appliedSeq), _punches.LastSeq, Volatile.Read(ref _queued));
            }
        }
    }

    /// <summary>The global settings the rules run with now (the configured ones, or what an admin stored).</summary>
    public ReconciliationSettings Settings
    {
        get
        {
            lock (_gate)
            {
                return _settings;
            }
        }
    }

    /// <summary>
    /// Builds the ledger again from the registry, the stored rule settings, every stored punch and
    /// payout, and syncs the stored alerts with it: a changed threshold is re-evaluated at once.
    /// </summary>
    public void Rebuild()
    {
        lock (_gate)
        {
            _settings = _ruleSettings.Effective();
            var projects = _registry.AllProjects().Select(p => p.ToProject()).ToList();
            var roster = _registry.AllWorkers().Select(w => w.ToEntry()).ToList();
            var ledger = new ReconciliationLedger(projects, roster, _settings, followsRegistryChanges: true);
            long seq = 0, count = 0;
            while (true)
            {
                var page = _punches.ReadAfter(seq, ReplayPage);
                if (page.Count == 0)
                {
                    break;
                }

                foreach (var stored in page)
                {
                    ledger.AddPunch(GatePunch.From(stored.Punch));
                }

                seq = page[^1].Seq;
                count += page.Count;
            }

            var payouts = _registry.AllPayouts();
            foreach (var payout in payouts)
            {
                ledger.AddPayout(payout);
            }

            _engine = new IncrementalReconciler(ledger, Today);
            Interlocked.Exchange(ref _appliedSeq, Math.Max(seq, Interlocked.Read(ref _appliedSeq)));
            var written = _alerts.Sync(_engine.Standing);
            _needsSync = false;
            LogRebuilt(projects.Count, roster.Count, count, payouts.Count, _engine.Standing.Count, written.Count, _engine.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// Folds a registry change into the rules: the projects and workers named are read again from
    /// the registry, and only what they concern is derived again and re-evaluated
    /// (<see cref="IncrementalReconciler.ChangeRegistry"/>).
    /// </summary>
    public void RegistryChanged(IEnumerable<string> projectIds, IEnumerable<string> workerIds) => Run(engine =>
    {
        // Read under the lock: of two changes to the same worker racing, the one folded in last
        // also read the registry last, so the rules never keep an older record.
        var projects = projectIds.Distinct(StringComparer.Ordinal).Select(_registry.FindProject).OfType<ProjectDoc>().Select(p => p.ToProject()).ToList();
        var entries = workerIds.Distinct(StringComparer.Ordinal).SelectMany(_registry.EnrolmentsOf).Select(w => w.ToEntry()).ToList();
        return [engine.ChangeRegistry(projects, entries)];
    });

    /// <summary>Folds in a batch of committed punches taken from the queue.</summary>
    public void AddQueuedPunches(IReadOnlyList<StoredPunch> punches)
    {
        try
        {
            AddPunches(punches);
        }
        finally
        {
            Interlocked.Decrement(ref _queued);
        }
    }

    private void AddPunches(IReadOnlyList<StoredPunch> punches) => Run(engine =>
    {
        List<AlertChanges> changes = [engine.AddPunches(punches.Select(stored => GatePunch.From(stored.Punch)))];

        if (punches.Count > 0)
        {
            var last = punches.Max(p => p.Seq);
            if (last > Interlocked.Read(ref _appliedSeq))
            {
                Interlocked.Exchange(ref _appliedSeq, last);
            }
        }

        return changes;
    });

    /// <summary>Folds in imported payouts.</summary>
    public void AddPayouts(IReadOnlyList<Payout> payouts) => Run(engine => payouts.Select(engine.AddPayout).ToList());

    /// <summary>Moves the rules to today (due dates crossed, days ended).</summary>
    public void Tick() => Run(_ => []);

    /// <summary>Reads the engine under the lock (for the queries of the API).</summary>
    public T Query<T>(Func<IncrementalReconciler, T> query)
    {
        lock (_gate)
        {
            return query(_engine);
        }
    }

    private void Run(Func<IncrementalReconciler, List<AlertChanges>> fold)
    {
        lock (_gate)
        {
            var changes = new List<AlertChanges>();
            var today = Today;
            if (today > _engine.AsOf)
            {
                changes.Add(_engine.AdvanceTo(today));
            }

            changes.AddRange(fold(_engine));
            try
            {
                if (_needsSync)
                {
                    _alerts.Sync(_engine.Standing);
                    _needsSync = false;
                }
                else
                {
                    _alerts.Apply(changes);
                }
            }
            catch
            {
                _needsSync = true;
                throw;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rules rebuilt from {Projects} project(s), {Roster} roster entries, {Punches} punches and {Payouts} payouts: {Standing} alert(s) standing on {AsOf}, {Written} alert record(s) written")]
    private partial void LogRebuilt(int projects, int roster, long punches, int payouts, int standing, int written, string asOf);
}

/// <summary>Where the live rules stand.</summary>
/// <param name="AsOf">The day the standing alerts are for.</param>
/// <param name="AppliedSeq">The last punch (hub sequence) the rules have taken in.</param>
/// <param name="StoredSeq">The last punch the hub has stored.</param>
/// <param name="QueuedBatches">Committed batches waiting for the rules.</param>
public sealed record ReconciliationState(DateOnly AsOf, long AppliedSeq, long StoredSeq, int QueuedBatches);
