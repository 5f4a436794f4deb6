using System.Globalization;

namespace SiteHub.Hub.Credit;

/// <summary>An alert as the credit score sees it: its type and when it was raised.</summary>
public sealed record CreditEvent(string Type, DateTimeOffset RaisedAt);

/// <summary>What one alert type took off a contractor's score.</summary>
/// <param name="Type">The alert type.</param>
/// <param name="Count">Alerts of the type in the window.</param>
/// <param name="Points">Points taken off (count × weight).</param>
/// <param name="Text">The reason as a person reads it ("3 UNPAID alerts in the last 12 months: −30").</param>
public sealed record CreditReason(string Type, int Count, int Points, string Text);

/// <summary>A contractor's grade and why.</summary>
/// <param name="Contractor">The contractor.</param>
/// <param name="Grade">A, B, C or D.</param>
/// <param name="Score">0–100.</param>
/// <param name="AsOf">When it was scored.</param>
/// <param name="WindowDays">How far back alerts counted.</param>
/// <param name="Reasons">What took points off, most first.</param>
public sealed record CreditReport(string Contractor, string Grade, int Score, DateTimeOffset AsOf, int WindowDays, IReadOnlyList<CreditReason> Reasons);

/// <summary>Enterprise credit (诚信等级评价): pure scoring of a contractor's alert history.</summary>
public static class CreditScoring
{
    public const int FullScore = 100;

    /// <summary>Scores <paramref name="contractor"/> from the alerts attributed to it, as of <paramref name="now"/>.</summary>
    public static CreditReport Score(string contractor, IEnumerable<CreditEvent> alerts, DateTimeOffset now, CreditOptions options)
    {
        var since = now - options.Window;
        var window = WindowText(options.Window);
        var reasons = alerts
            .Where(a => a.RaisedAt > since && a.RaisedAt <= now)
            .GroupBy(a => a.Type.ToUpperInvariant(), StringComparer.Ordinal)
            .Select(g =>
            {
                var weight = options.Weights.GetValueOrDefault(g.Key);
                var count = g.Count();
                var points = weight * count;
                return new CreditReason(g.Key, count, points,
                    string.Create(CultureInfo.InvariantCulture, $"{count} {g.Key} alert{(count == 1 ? "" : "s")} in the last {window}: −{points}"));
            })
            .OrderByDescending(r => r.Points)
            .ThenBy(r => r.Type, StringComparer.Ordinal)
            .ToList();
        var score = Math.Max(0, FullScore - reasons.Sum(r => r.Points));
        var grade = score >= options.GradeA ? "A" : score >= options.GradeB ? "B" : score >= options.GradeC ? "C" : "D";
        return new CreditReport(contractor, grade, score, now, (int)options.Window.TotalDays, reasons);
    }

    private static string WindowText(TimeSpan window)
    {
        var days = (int)Math.Round(window.TotalDays);
        return days % 365 == 0 ? string.Create(CultureInfo.InvariantCulture, $"{days / 365 * 12} months")
            : days % 30 == 0 ? string.Create(CultureInfo.InvariantCulture, $"{days / 30} months")
            : string.Create(CultureInfo.InvariantCulture, $"{days} days");
    }
}
