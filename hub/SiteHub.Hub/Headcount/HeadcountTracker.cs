using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SiteHub.Hub.Configuration;
using SiteHub.Protocols.Punches;

namespace SiteHub.Hub.Headcount;

/// <summary>Headcount of one site at one moment.</summary>
/// <param name="SiteId">The site.</param>
/// <param name="OnSite">People whose last punch is <c>in</c> and recent enough.</param>
/// <param name="AsOf">When this was computed.</param>
public sealed record SiteHeadcount(string SiteId, int OnSite, DateTimeOffset AsOf);

/// <summary>
/// Live headcount per site: a person is on site while their latest punch (by the device's time)
/// is <c>in</c> and younger than <c>Hub:OnSiteWindow</c>. Late-arriving older punches (a gateway's
/// backlog) never override a newer one, so replay order does not matter. Pure in-memory state,
/// rebuilt from the store at start-up.
/// </summary>
public sealed class HeadcountTracker(TimeProvider clock, IOptions<HubOptions> options)
{
    private readonly ConcurrentDictionary<string, SiteState> _sites = new(StringComparer.Ordinal);
    private readonly TimeSpan _window = options.Value.OnSiteWindow;

    /// <summary>Raised with the sites whose headcount may have changed.</summary>
    public event Action<IReadOnlyCollection<string>>? Changed;

    /// <summary>Sites that have sent punches.</summary>
    public IReadOnlyCollection<string> Sites => _sites.Keys.ToList();

    /// <summary>Applies punches (in any order).</summary>
    public void Apply(IEnumerable<Punch> punches)
    {
        var touched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var punch in punches)
        {
            var site = _sites.GetOrAdd(punch.SiteId, _ => new SiteState());
            lock (site)
            {
                if (!site.Last.TryGetValue(punch.PersonId, out var last) || punch.OccurredAt > last.At)
                {
                    site.Last[punch.PersonId] = new LastPunch(punch.Direction, punch.OccurredAt);
                    touched.Add(punch.SiteId);
                }
            }
        }

        if (touched.Count > 0)
        {
            Changed?.Invoke(touched);
        }
    }

    /// <summary>The headcount of a site now.</summary>
    public SiteHeadcount Of(string siteId)
    {
        var now = clock.GetUtcNow();
        if (!_sites.TryGetValue(siteId, out var site))
        {
            return new SiteHeadcount(siteId, 0, now);
        }

        lock (site)
        {
            return new SiteHeadcount(siteId, site.Last.Values.Count(l => l.Direction == Direction.In && now - l.At < _window), now);
        }
    }

    /// <summary>People on a site now, with when they entered.</summary>
    public IReadOnlyList<(string PersonId, DateTimeOffset Since)> PeopleOnSite(string siteId)
    {
        var now = clock.GetUtcNow();
        if (!_sites.TryGetValue(siteId, out var site))
        {
            return [];
        }

        lock (site)
        {
            return site.Last.Where(p => p.Value.Direction == Direction.In && now - p.Value.At < _window)
                .Select(p => (p.Key, p.Value.At)).OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        }
    }

    private sealed class SiteState
    {
        public Dictionary<string, LastPunch> Last { get; } = new(StringComparer.Ordinal);
    }

    private readonly record struct LastPunch(Direction Direction, DateTimeOffset At);
}
