using System.Collections.Concurrent;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SiteHub.Hub.Alerts;
using SiteHub.Hub.Configuration;
using SiteHub.Hub.Credit;
using SiteHub.Hub.Gateways;
using SiteHub.Hub.Headcount;
using SiteHub.Hub.Ingest;
using SiteHub.Hub.Reconciliation;
using SiteHub.Platform.Web;

namespace SiteHub.Hub.WebUi;

/// <summary>One site on the overview.</summary>
public sealed record SiteRow(
    string SiteId,
    int OnSite,
    bool GatewayConnected,
    int? DevicesOnline,
    int? DevicesOffline,
    long? Backlog,
    DateTimeOffset? LastContact,
    int OpenHigh,
    int OpenMedium,
    int OpenLow,
    IReadOnlyList<HeadcountPoint> Today,
    DateTimeOffset DayStart)
{
    /// <summary>A site nothing is known of.</summary>
    public static SiteRow Empty { get; } = new("", 0, false, null, null, null, null, 0, 0, 0, [], DateTimeOffset.MinValue);
}

/// <summary>
/// An alert row of the feed, with the contractors it counts against (<see cref="ContractorLinks"/>).
/// <c>Subject</c>, for security alerts: who was refused, where, how often (<c>site-a · ZK-1 · 3×</c>),
/// shown where a worker would be.
/// </summary>
public sealed record AlertRow(long Id, string Type, string Severity, string? ProjectId, IReadOnlyList<string> Contractors, string? WorkerId, string? WageMonth, decimal? Expected, decimal? Paid, int? Days, string Status, DateTimeOffset RaisedAt, DateTimeOffset UpdatedAt, string Detail, string? Subject = null)
{
    public static AlertRow From(AlertDoc a, ContractorLinks links) =>
        new(a.Id, a.Type, a.Severity, a.ProjectId, links.Of(a), a.WorkerId, a.WageMonth, a.Expected, a.Paid, a.Days, a.Status, a.RaisedAt, a.UpdatedAt, a.Detail,
            a.Client is null ? null : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{a.SiteId} · {a.Client} · {a.Count}×"));
}

/// <summary>
/// What the hub's open pages see change, as server-sent events (<see cref="LiveEventFeed"/>):
/// <c>hello</c> when a page connects, <c>site</c> (a site's row of the overview, pushed when its
/// headcount changes and when a one-second sample differs) and <c>alert</c> (an alert raised or
/// changed since the last sample). The sample runs on real time, not the hub's clock: tests run the
/// hub on a fake clock and the pages must still update.
/// </summary>
/// <remarks>
/// The day chart of each site starts from the stored punches (replayed at start-up from the
/// beginning of the site's day, in its project's time zone), so a restarted hub still shows the
/// whole day; from then on every change of the live headcount adds a point.
/// </remarks>
public sealed class HubLiveFeed : LiveEventFeed
{
    private const int MaxPointsPerSite = 2000;
    private readonly ConcurrentDictionary<string, List<HeadcountPoint>> _history = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _lastSites = new(StringComparer.Ordinal);
    private readonly HeadcountTracker _headcount;
    private readonly GatewayDirectory _gateways;
    private readonly AlertStore _alerts;
    private readonly Registry.RegistryStore _registry;
    private readonly IOptions<GatewaysOptions> _configured;
    private readonly TimeZoneInfo _defaultZone;
    private readonly TimeProvider _clock;
    private readonly Lock _alertsGate = new();
    private readonly Dictionary<long, AlertDoc> _active = [];
    private Dictionary<long, AlertDoc> _unsent = [];

    public HubLiveFeed(HeadcountTracker headcount, GatewayDirectory gateways, AlertStore alerts, Registry.RegistryStore registry, PunchStore punches,
        IOptions<GatewaysOptions> configured, IOptions<HubOptions> hub, IOptions<ReconciliationOptions> reconciliation, TimeProvider clock, ILogger<HubLiveFeed> logger)
        : base(TimeProvider.System, logger)
    {
        _headcount = headcount;
        _gateways = gateways;
        _alerts = alerts;
        _registry = registry;
        _configured = configured;
        _defaultZone = TimeZoneInfo.FindSystemTimeZoneById(reconciliation.Value.DefaultTimeZone);
        _clock = clock;
        LoadToday(punches, hub.Value.OnSiteWindow);
        FollowAlerts();
        _headcount.Changed += OnHeadcountChanged;
        foreach (var site in _headcount.Sites)
        {
            Record(site);
        }
    }

    // The day so far from the store: the chart survives a restart.
    private void LoadToday(PunchStore punches, TimeSpan window)
    {
        var now = _clock.GetUtcNow();
        var starts = SiteIds().ToDictionary(s => s, DayStart, StringComparer.Ordinal);
        var earliest = starts.Count == 0 ? now - TimeSpan.FromDays(1) : starts.Values.Min();
        foreach (var site in punches.OccurredSince(earliest - window).GroupBy(p => p.SiteId, StringComparer.Ordinal))
        {
            var start = starts.TryGetValue(site.Key, out var known) ? known : DayStart(site.Key);
            _history[site.Key] = [.. HeadcountHistory.Replay(site, start, now, window)];
        }
    }

    // The active alerts are kept here from the store's writes, not queried again every second:
    // with a busy rule set that query read every alert in the store each time.
    private void FollowAlerts()
    {
        _alerts.Written += OnAlertsWritten;
        var active = _alerts.Query(new AlertFilter(Status: "active"));
        lock (_alertsGate)
        {
            foreach (var alert in active)
            {
                _active.TryAdd(alert.Id, alert); // a write announced meanwhile is newer
            }
        }
    }

    private void OnAlertsWritten(IReadOnlyList<AlertDoc> written)
    {
        lock (_alertsGate)
        {
            foreach (var alert in written)
            {
                _unsent[alert.Id] = alert;
                if (alert.Status == AlertStatus.Resolved)
                {
                    _active.Remove(alert.Id);
                }
                else
                {
                    _active[alert.Id] = alert;
                }
            }
        }
    }

    private List<AlertDoc> ActiveAlerts()
    {
        lock (_alertsGate)
        {
            return [.. _active.Values];
        }
    }

    /// <summary>Midnight today in the zone of the site's first project (else the rules' default zone).</summary>
    private DateTimeOffset DayStart(string siteId) => DayStart(siteId, _registry.AllProjects());

    private DateTimeOffset DayStart(string siteId, IReadOnlyList<Registry.ProjectDoc> allProjects)
    {
        var project = allProjects.FirstOrDefault(p => p.SiteIds.Contains(siteId, StringComparer.Ordinal));
        var zone = project is not null && TimeZoneInfo.TryFindSystemTimeZoneById(project.TimeZone, out var found) ? found : _defaultZone;
        return HeadcountHistory.StartOfDay(_clock.GetUtcNow(), zone);
    }

    /// <summary>Every site known from punches, gateways, configuration or projects.</summary>
    public IReadOnlyList<string> SiteIds() => SiteIds(_registry.AllProjects());

    private List<string> SiteIds(IReadOnlyList<Registry.ProjectDoc> allProjects) =>
        _headcount.Sites.Concat(_gateways.All.Select(g => g.SiteId)).Concat(_configured.Value.Sites.Keys)
            .Concat(allProjects.SelectMany(p => p.SiteIds))
            .Where(s => !string.IsNullOrEmpty(s)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    public IReadOnlyList<SiteRow> Sites()
    {
        var open = ActiveAlerts();
        var allProjects = _registry.AllProjects();
        return SiteIds(allProjects).Select(s => Site(s, open, allProjects)).ToList();
    }

    /// <summary>One site's row now.</summary>
    public SiteRow Site(string siteId) => Site(siteId, ActiveAlerts(), _registry.AllProjects());

    private SiteRow Site(string siteId, IReadOnlyList<AlertDoc> open, IReadOnlyList<Registry.ProjectDoc> allProjects)
    {
        var gateway = _gateways.Find(siteId);
        var projects = allProjects.Where(p => p.SiteIds.Contains(siteId, StringComparer.Ordinal)).Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var mine = open.Where(a => a.ProjectId is not null && projects.Contains(a.ProjectId)).ToList();
        var dayStart = DayStart(siteId, allProjects);
        var points = _history.TryGetValue(siteId, out var list) ? Snapshot(list, dayStart) : [];
        return new SiteRow(siteId, _headcount.Of(siteId).OnSite, gateway?.Connected ?? false, gateway?.Status?.DevicesOnline, gateway?.Status?.DevicesOffline,
            gateway?.Status?.Backlog, gateway?.LastSeen,
            mine.Count(a => a.Severity == "high"), mine.Count(a => a.Severity == "medium"), mine.Count(a => a.Severity is not ("high" or "medium")), points, dayStart);
    }

    // Today's points; the count standing at midnight opens the day.
    private static List<HeadcountPoint> Snapshot(List<HeadcountPoint> list, DateTimeOffset dayStart)
    {
        lock (list)
        {
            var today = list.Where(p => p.At >= dayStart).ToList();
            if ((today.Count == 0 || today[0].At > dayStart) && list.LastOrDefault(p => p.At < dayStart) is { } before)
            {
                today.Insert(0, new HeadcountPoint(dayStart, before.OnSite));
            }

            return today;
        }
    }

    private void Record(string siteId)
    {
        var count = _headcount.Of(siteId);
        var list = _history.GetOrAdd(siteId, _ => []);
        lock (list)
        {
            if (list.Count > 0 && list[^1].OnSite == count.OnSite)
            {
                return;
            }

            list.Add(new HeadcountPoint(count.AsOf, count.OnSite));
            if (list.Count > MaxPointsPerSite)
            {
                list.RemoveRange(0, list.Count - MaxPointsPerSite);
            }
        }
    }

    private void OnHeadcountChanged(IReadOnlyCollection<string> sites)
    {
        try
        {
            var open = ActiveAlerts();
            var allProjects = _registry.AllProjects();
            foreach (var site in sites)
            {
                Record(site);
                PublishSite(Site(site, open, allProjects));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailure(ex);
        }
    }

    private void PublishSite(SiteRow row)
    {
        var json = JsonSerializer.Serialize(row, HubUiJsonContext.Default.SiteRow);
        lock (_lastSites)
        {
            if (_lastSites.TryGetValue(row.SiteId, out var last) && last == json)
            {
                return;
            }

            _lastSites[row.SiteId] = json;
        }

        Publish("site", json);
    }

    protected override SseItem<string> Greeting() => new("{}", "hello");

    protected override void Sample()
    {
        Dictionary<long, AlertDoc> unsent;
        lock (_alertsGate)
        {
            (unsent, _unsent) = (_unsent, []);
        }

        var changed = unsent.Values.OrderBy(a => a.UpdatedAt).ThenBy(a => a.Id).ToList();
        if (changed.Count > 0)
        {
            var links = ContractorLinks.From(_registry);
            foreach (var alert in changed.TakeLast(200))
            {
                Publish("alert", JsonSerializer.Serialize(AlertRow.From(alert, links), HubUiJsonContext.Default.AlertRow));
            }
        }

        foreach (var row in Sites())
        {
            Record(row.SiteId);
            PublishSite(row);
        }
    }

    public override void Dispose()
    {
        _headcount.Changed -= OnHeadcountChanged;
        _alerts.Written -= OnAlertsWritten;
        base.Dispose();
    }

}
