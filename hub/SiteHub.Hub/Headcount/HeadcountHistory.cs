using SiteHub.Protocols.Punches;

namespace SiteHub.Hub.Headcount;

/// <summary>A headcount sample for the day chart: from <see cref="At"/> on, <see cref="OnSite"/> people were on site.</summary>
public sealed record HeadcountPoint(DateTimeOffset At, int OnSite);

/// <summary>
/// The headcount of a site over a span of time, replayed from its stored punches with the same
/// rule as <see cref="HeadcountTracker"/> (on site while the latest punch is <c>in</c> and younger
/// than the on-site window): what the overview's day chart shows after a restart (pure).
/// </summary>
public static class HeadcountHistory
{
    /// <summary>
    /// The steps of the headcount from <paramref name="from"/> to <paramref name="to"/>: a first
    /// point at <paramref name="from"/>, then one at every change. Punches before
    /// <paramref name="from"/> count for who is on site at the start (pass those of the on-site
    /// window before it); punches after <paramref name="to"/> are ignored; any order.
    /// </summary>
    public static IReadOnlyList<HeadcountPoint> Replay(IEnumerable<Punch> punches, DateTimeOffset from, DateTimeOffset to, TimeSpan window)
    {
        var ordered = punches.Where(p => p.OccurredAt <= to).OrderBy(p => p.OccurredAt).ToList();
        var last = new Dictionary<string, (Direction Direction, DateTimeOffset At)>(StringComparer.Ordinal);
        var expiries = new PriorityQueue<(string Person, DateTimeOffset At), DateTimeOffset>();
        var points = new List<HeadcountPoint>();
        var onSite = 0;

        void Step(DateTimeOffset at, Action change)
        {
            if (points.Count == 0 && at >= from)
            {
                points.Add(new HeadcountPoint(from, onSite));
            }

            change();
            if (points.Count == 0 || points[^1].OnSite == onSite)
            {
                return;
            }

            if (points[^1].At == at)
            {
                points[^1] = new HeadcountPoint(at, onSite);
            }
            else
            {
                points.Add(new HeadcountPoint(at, onSite));
            }
        }

        // A person stops counting once their "in" is as old as the window.
        void ExpireUpTo(DateTimeOffset time)
        {
            while (expiries.TryPeek(out var entry, out var when) && when <= time)
            {
                expiries.Dequeue();
                if (last.TryGetValue(entry.Person, out var latest) && latest.Direction == Direction.In && latest.At == entry.At)
                {
                    Step(when, () =>
                    {
                        last[entry.Person] = (Direction.Unknown, latest.At);
                        onSite--;
                    });
                }
            }
        }

        foreach (var punch in ordered)
        {
            ExpireUpTo(punch.OccurredAt);
            var known = last.TryGetValue(punch.PersonId, out var previous);
            if (known && punch.OccurredAt <= previous.At)
            {
                continue;
            }

            var wasIn = known && previous.Direction == Direction.In;
            Step(punch.OccurredAt, () =>
            {
                var isIn = punch.Direction == Direction.In;
                last[punch.PersonId] = (punch.Direction, punch.OccurredAt);
                if (isIn)
                {
                    expiries.Enqueue((punch.PersonId, punch.OccurredAt), punch.OccurredAt + window);
                }

                onSite += (isIn ? 1 : 0) - (wasIn ? 1 : 0);
            });
        }

        ExpireUpTo(to);
        if (points.Count == 0)
        {
            points.Add(new HeadcountPoint(from, onSite));
        }

        return points;
    }

    /// <summary>Midnight of the day <paramref name="now"/> falls in, in <paramref name="zone"/>.</summary>
    public static DateTimeOffset StartOfDay(DateTimeOffset now, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var midnight = local.Date;
        return new DateTimeOffset(midnight, zone.GetUtcOffset(midnight));
    }
}
