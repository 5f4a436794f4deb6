using LiteDB;
using SiteHub.Hub.Reconciliation;
using SiteHub.Hub.Registry;

namespace SiteHub.Hub.Alerts;

/// <summary>Which alerts to list; <c>null</c> matches all.</summary>
/// <remarks>
/// <c>Status</c>: <c>open</c>, <c>acknowledged</c>, <c>resolved</c>, or <c>active</c> (open or acknowledged).<br/>
/// </remarks>
public sealed record AlertFilter(string? Status = null, string? Type = null, string? ProjectId = null, string? WorkerId = null, string? WageMonth = null);

/// <summary>The alerts and their history in <c>registry.db</c>; every change is forced to disk before it returns.</summary>
public sealed class AlertStore(RegistryDatabase database, TimeProvider clock)
{
    public const string Collection = "alerts";

    /// <summary>The last running total of refused attempts each gateway reported per device.</summary>
    public const string ViolationTotals = "violation_totals";

    /// <summary>
    /// Raised after every forced write with the alert documents it wrote (raised, updated,
    /// resolved, acknowledged), so a view can follow the alerts without reading them all again.
    /// </summary>
    public event Action<IReadOnlyList<AlertDoc>>? Written;

    private List<AlertDoc> Announce(List<AlertDoc> written)
    {
        if (written.Count > 0)
        {
            Written?.Invoke(written);
        }

        return written;
    }

    /// <summary>Applies, in order and in one transaction, what events and ticks changed; returns the documents written.</summary>
    public IReadOnlyList<AlertDoc> Apply(IReadOnlyList<AlertChanges> changes)
    {
        if (changes.All(c => c.IsEmpty))
        {
            return [];
        }

        var now = clock.GetUtcNow();
        return Announce(database.Write(db =>
        {
            var alerts = db.GetCollection<AlertDoc>(Collection);
            var written = new List<AlertDoc>();
            var nextId = NextId(alerts);
            foreach (var change in changes)
            {
                foreach (var alert in change.Raised.Concat(change.Updated))
                {
                    Save(alerts, AlertLifecycle.Stands(alerts.FindOne(a => a.Key == alert.Key), alert, now), written, ref nextId);
                }

                foreach (var alert in change.Resolved)
                {
                    Save(alerts, AlertLifecycle.Clears(alerts.FindOne(a => a.Key == alert.Key), now), written, ref nextId);
                }
            }

            return written;
        }));
    }

    /// <summary>
    /// Makes the stored alerts agree with <paramref name="standing"/> (all alerts the rules find
    /// now): what is new is raised, what changed is updated, what no longer stands is resolved.
    /// Used when the rules are rebuilt (start-up, registry changes).
    /// </summary>
    public IReadOnlyList<AlertDoc> Sync(IReadOnlyList<Alert> standing)
    {
        var now = clock.GetUtcNow();
        return Announce(database.Write(db =>
        {
            var alerts = db.GetCollection<AlertDoc>(Collection);
            var written = new List<AlertDoc>();
            var nextId = NextId(alerts);
            var keys = new HashSet<string>(standing.Select(a => a.Key), StringComparer.Ordinal);
            foreach (var stale in alerts.Find(a => a.Standing).Where(a => !keys.Contains(a.Key) && !AlertTypes.IsOutsideRules(a.Type)).ToList())
            {
                Save(alerts, AlertLifecycle.Clears(stale, now), written, ref nextId);
            }

            foreach (var alert in standing)
            {
                Save(alerts, AlertLifecycle.Stands(alerts.FindOne(a => a.Key == alert.Key), alert, now), written, ref nextId);
            }

            return written;
        }));
    }

    /// <summary>
    /// Records refused topic attempts as <c>TOPIC_VIOLATION</c> alerts, one per site and client:
    /// raised on the first, updated with the count after, raised again after a user resolved it.
    /// Running totals (<see cref="TopicViolationReport.CountedSince"/>) are turned into new attempts
    /// against the last total stored, so a status repeated or replayed counts nothing twice.
    /// </summary>
    public IReadOnlyList<AlertDoc> RecordViolations(IReadOnlyList<TopicViolationReport> reports)
    {
        if (reports.Count == 0)
        {
            return [];
        }

        var now = clock.GetUtcNow();
        return Announce(database.Write(db =>
        {
            var alerts = db.GetCollection<AlertDoc>(Collection);
            var totals = db.GetCollection<ViolationTotalDoc>(ViolationTotals);
            var written = new List<AlertDoc>();
            var nextId = NextId(alerts);
            foreach (var report in reports)
            {
                var added = report.Count;
                if (report.CountedSince is { } since)
                {
                    var id = report.SiteId + "|" + report.Client;
                    var total = totals.FindById(id);
                    var sameRun = total is not null && total.SinceTicks == since.UtcTicks;
                    added = sameRun ? report.Count - total!.Count : report.Count;
                    if (added > 0)
                    {
                        totals.Upsert(new ViolationTotalDoc { Id = id, SinceTicks = since.UtcTicks, Count = report.Count });
                    }
                }

                if (added <= 0)
                {
                    continue;
                }

                var key = AlertLifecycle.ViolationKey(report.Source, report.SiteId, report.Client);
                Save(alerts, AlertLifecycle.Violated(alerts.FindOne(a => a.Key == key), report, added, now), written, ref nextId);
            }

            return written;
        }));
    }

    /// <summary>
    /// Makes the stored <c>GATEWAY_OFFLINE</c> / <c>DEVICE_OFFLINE</c> alerts agree with what a tick
    /// found: each condition raised or updated; each standing alert the decision covers and no
    /// longer finds resolved by the system. Reads first, and writes (one forced commit) only when
    /// something changes, as the watch runs every tick.
    /// </summary>
    public IReadOnlyList<AlertDoc> RecordOffline(OfflineDecision decision)
    {
        var now = clock.GetUtcNow();
        if (!database.Read(db => OfflineChanges(db.GetCollection<AlertDoc>(Collection), decision, now).Any()))
        {
            return [];
        }

        return Announce(database.Write(db =>
        {
            var alerts = db.GetCollection<AlertDoc>(Collection);
            var written = new List<AlertDoc>();
            var nextId = NextId(alerts);
            foreach (var changed in OfflineChanges(alerts, decision, now).ToList())
            {
                Save(alerts, changed, written, ref nextId);
            }

            return written;
        }));
    }

    private static IEnumerable<AlertDoc> OfflineChanges(ILiteCollection<AlertDoc> alerts, OfflineDecision decision, DateTimeOffset now)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var alert in decision.Offline)
        {
            var key = alert.Key;
            keys.Add(key);
            if (AlertLifecycle.Offline(alerts.FindOne(a => a.Key == key), alert, now) is { } changed)
            {
                yield return changed;
            }
        }

        string[] types = [AlertType.GatewayOffline.Code(), AlertType.DeviceOffline.Code()];
        foreach (var stale in alerts.Find(a => a.Standing).Where(a => types.Contains(a.Type) && !keys.Contains(a.Key) && decision.Covers(a.Type, a.SiteId)).ToList())
        {
            if (AlertLifecycle.Clears(stale, now) is { } cleared)
            {
                yield return cleared;
            }
        }
    }

    public AlertDoc? Find(long id) => database.Read(db => db.GetCollection<AlertDoc>(Collection).FindById(id));

    /// <summary>The alerts matching <paramref name="filter"/>, newest first.</summary>
    public IReadOnlyList<AlertDoc> Query(AlertFilter filter) => database.Read(db =>
    {
        var alerts = db.GetCollection<AlertDoc>(Collection);
        IEnumerable<AlertDoc> found = filter.WorkerId is { } worker ? alerts.Find(a => a.WorkerId == worker)
            : filter.ProjectId is { } project ? alerts.Find(a => a.ProjectId == project)
            : alerts.FindAll();
        return found.Where(a =>
                (filter.Status is null || a.Status == filter.Status || (filter.Status == "active" && a.Status != AlertStatus.Resolved))
                && (filter.Type is null || string.Equals(a.Type, filter.Type, StringComparison.OrdinalIgnoreCase))
                && (filter.ProjectId is null || a.ProjectId == filter.ProjectId)
                && (filter.WorkerId is null || a.WorkerId == filter.WorkerId)
                && (filter.WageMonth is null || a.WageMonth == filter.WageMonth))
            .OrderByDescending(a => a.Id)
            .ToList();
    });

    /// <summary>Applies a user's step (acknowledge, resolve) to alert <paramref name="id"/>; <c>null</c> when there is no such alert.</summary>
    /// <exception cref="InvalidOperationException">The step does not apply to the alert's status.</exception>
    public AlertDoc? Change(long id, Func<AlertDoc, DateTimeOffset, AlertDoc> step)
    {
        var now = clock.GetUtcNow();
        var changed = database.Write(db =>
        {
            var alerts = db.GetCollection<AlertDoc>(Collection);
            if (alerts.FindById(id) is not { } stored)
            {
                return null;
            }

            var next = step(stored, now);
            alerts.Update(next);
            return next;
        });
        if (changed is not null)
        {
            Announce([changed]);
        }

        return changed;
    }

    private static long NextId(ILiteCollection<AlertDoc> alerts) =>
        (alerts.Find(LiteDB.Query.All(LiteDB.Query.Descending), limit: 1).FirstOrDefault()?.Id ?? 0) + 1;

    private static void Save(ILiteCollection<AlertDoc> alerts, AlertDoc? changed, List<AlertDoc> written, ref long nextId)
    {
        if (changed is null)
        {
            return;
        }

        if (changed.Id == 0)
        {
            changed = changed with { Id = nextId++ };
            alerts.Insert(changed);
        }
        else
        {
            alerts.Update(changed);
        }

        written.Add(changed);
    }
}

/// <summary>Refused topic attempts to record.</summary>
/// <param name="SiteId">The site of the gateway involved.</param>
/// <param name="Client">Who was refused: a gateway's MQTT client id, or a device serial.</param>
/// <param name="Source"><c>gateway</c> (at the hub's broker) or <c>device</c> (at the site broker).</param>
/// <param name="Action">The last attempt: <c>publish</c> or <c>subscribe</c>.</param>
/// <param name="Topic">The last topic or filter tried.</param>
/// <param name="Count">New attempts; or, with <paramref name="CountedSince"/>, the reporter's running total since then.</param>
/// <param name="CountedSince">When the reporter started its running total, or <c>null</c>.</param>
public sealed record TopicViolationReport(string SiteId, string Client, string Source, string Action, string Topic, long Count, DateTimeOffset? CountedSince = null);

/// <summary>The last running total a gateway reported for one device (<c>{site}|{sn}</c>).</summary>
public sealed record ViolationTotalDoc
{
    [BsonId] public string Id { get; init; } = "";
    public long SinceTicks { get; init; }
    public long Count { get; init; }
}
