using System.Collections.Concurrent;
using System.Net.ServerSentEvents;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using SiteHub.Hub.Alerts;
using SiteHub.Hub.Configuration;
using SiteHub.Hub.Gateways;
using SiteHub.Hub.Headcount;

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
    IReadOnlyList<HeadcountPoint> Today);

/// <summary>A headcount sample for the day chart.</summary>
public sealed record HeadcountPoint(DateTimeOffset At, int OnSite);

/// <summary>
/// An alert row of the feed. <c>Subject</c>, for security alerts: who was refused, where, how
/// often (<c>site-a · ZK-1 · 3×</c>), shown where a worker would be.
/// </summary>
public sealed record AlertRow(long Id, string Type, string Severity, string? ProjectId, string? WorkerId, string? WageMonth, decimal? Expected, decimal? Paid, int? Days, string Status, DateTimeOffset RaisedAt, DateTimeOffset UpdatedAt, string? Subject = null)
{
    public static AlertRow From(AlertDoc a) => new(a.Id, a.Type, a.Severity, a.ProjectId, a.WorkerId, a.WageMonth, a.Expected, a.Paid, a.Days, a.Status, a.RaisedAt, a.UpdatedAt,
        a.Client is null ? null : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{a.SiteId} · {a.Client} · {a.Count}×"));
}

/// <summary>
/// What the hub's open pages see change, as server-sent events: <c>site</c> (a site's row of the
/// overview, pushed when its headcount changes and when a one-second sample differs) and
/// <c>alert</c> (an alert raised or changed since the last sample). Each page has its own bounded
/// channel that drops its oldest events when the page cannot keep up.
/// </summary>
public sealed partial class HubLiveFeed : BackgroundService
{
    private const int MaxPointsPerSite = 2000;
    private readonly ConcurrentDictionary<Channel<SseItem<string>>, byte> _subscribers = new();
    private readonly ConcurrentDictionary<string, List<HeadcountPoint>> _history = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _lastSites = new(StringComparer.Ordinal);
    private readonly HeadcountTracker _headcount;
    private readonly GatewayDirectory _gateways;
    private readonly AlertStore _alerts;
    private readonly Registry.RegistryStore _registry;
    private readonly IOptions<GatewaysOptions> _configured;
    private readonly TimeProvider _clock;
    private readonly ILogger<HubLiveFeed> _logger;
    private DateTimeOffset _alertsSeen = DateTimeOffset.MinValue;
    private volatile IReadOnlyList<AlertDoc> _open = [];

    public HubLiveFeed(HeadcountTracker headcount, GatewayDirectory gateways, AlertStore alerts, Registry.RegistryStore registry, IOptions<GatewaysOptions> configured, TimeProvider clock, ILogger<HubLiveFeed> logger)
    {
        _headcount = headcount;
        _gateways = gateways;
        _alerts = alerts;
        _registry = registry;
        _configured = configured;
        _clock = clock;
        _logger = logger;
        _headcount.Changed += OnHeadcountChanged;
        foreach (var site in _headcount.Sites)
        {
            Record(site);
        }
    }

    /// <summary>Every site known from punches, gateways, configuration or projects.</summary>
    public IReadOnlyList<string> SiteIds() =>
        _headcount.Sites.Concat(_gateways.All.Select(g => g.SiteId)).Concat(_configured.Value.Sites.Keys)
            .Concat(_registry.AllProjects().SelectMany(p => p.SiteIds))
            .Where(s => !string.IsNullOrEmpty(s)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    public IReadOnlyList<SiteRow> Sites()
    {
        var open = _alerts.Query(new AlertFilter(Status: "active"));
        _open = open;
        return SiteIds().Select(s => Site(s, open)).ToList();
    }

    private SiteRow Site(string siteId, IReadOnlyList<AlertDoc> open)
    {
        var gateway = _gateways.Find(siteId);
        var projects = _registry.AllProjects().Where(p => p.SiteIds.Contains(siteId, StringComparer.Ordinal)).Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var mine = open.Where(a => a.ProjectId is not null && projects.Contains(a.ProjectId)).ToList();
        var points = _history.TryGetValue(siteId, out var list) ? Snapshot(list) : [];
        return new SiteRow(siteId, _headcount.Of(siteId).OnSite, gateway?.Connected ?? false, gateway?.Status?.DevicesOnline, gateway?.Status?.DevicesOffline,
            gateway?.Status?.Backlog, gateway?.LastSeen,
            mine.Count(a => a.Severity == "high"), mine.Count(a => a.Severity == "medium"), mine.Count(a => a.Severity is not ("high" or "medium")), points);
    }

    private List<HeadcountPoint> Snapshot(List<HeadcountPoint> list)
    {
        var since = _clock.GetUtcNow() - TimeSpan.FromHours(24);
        lock (list)
        {
            return list.Where(p => p.At >= since).ToList();
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
            var open = _open;
            foreach (var site in sites)
            {
                Record(site);
                PublishSite(Site(site, open));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSampleFailed(ex);
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

    /// <summary>The events for one page until it goes away or the hub stops.</summary>
    public async IAsyncEnumerable<SseItem<string>> StreamAsync(CancellationTokenSource lifetime)
    {
        using var owned = lifetime;
        var cancellationToken = lifetime.Token;
        var channel = Channel.CreateBounded<SseItem<string>>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        _subscribers[channel] = 0;
        try
        {
            yield return new SseItem<string>("{}", "hello");
            while (true)
            {
                SseItem<string> item;
                try
                {
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    idle.CancelAfter(TimeSpan.FromSeconds(15));
                    item = await channel.Reader.ReadAsync(idle.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    item = new SseItem<string>("{}", "ping");
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }

                yield return item;
            }
        }
        finally
        {
            _subscribers.TryRemove(channel, out _);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Real time, not the hub's clock: tests run the hub on a fake clock and the pages must still update.
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        do
        {
            try
            {
                Sample();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSampleFailed(ex);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Sample()
    {
        var changed = _alerts.Query(new AlertFilter()).Where(a => a.UpdatedAt > _alertsSeen).OrderBy(a => a.UpdatedAt).ToList();
        if (changed.Count > 0)
        {
            _alertsSeen = changed[^1].UpdatedAt;
            foreach (var alert in changed.TakeLast(200))
            {
                Publish("alert", JsonSerializer.Serialize(AlertRow.From(alert), HubUiJsonContext.Default.AlertRow));
            }
        }

        foreach (var row in Sites())
        {
            Record(row.SiteId);
            PublishSite(row);
        }
    }

    private void Publish(string type, string json)
    {
        var item = new SseItem<string>(json, type);
        foreach (var subscriber in _subscribers.Keys)
        {
            subscriber.Writer.TryWrite(item);
        }
    }

    public override void Dispose()
    {
        _headcount.Changed -= OnHeadcountChanged;
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sampling the hub web UI's live state failed; trying again in a second")]
    private partial void LogSampleFailed(Exception exception);
}
