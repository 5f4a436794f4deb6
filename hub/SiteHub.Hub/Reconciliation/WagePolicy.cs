using SiteHub.Hub.Registry;

namespace SiteHub.Hub.Reconciliation;

/// <summary>What a worker is owed for a month, and by when.</summary>
public static class WagePolicy
{
    /// <summary>
    /// Paid days in a month by China's labour rules (月计薪天数 = (365 − 104 rest days) ÷ 12):
    /// a monthly wage divided by it is the day wage that part-month workers are paid.
    /// </summary>
    public const decimal PaidDaysPerMonth = 21.75m;

    /// <summary>
    /// Expected pay of <paramref name="entry"/> for <paramref name="month"/> with
    /// <paramref name="attendedDays"/> attended days, in yuan rounded to the fen.
    /// </summary>
    /// <remarks>
    /// Day rate: rate × attended days. Monthly wage, employed the whole month: the full wage once
    /// the worker attended at all. Monthly wage, employed part of the month (started after the
    /// 1st or ended before the last day): the day wage (monthly ÷ 21.75) × attended days, at most
    /// the monthly wage — so a worker who joins mid-month is owed for the days they came.
    /// </remarks>
    public static decimal ExpectedPay(RosterEntry entry, YearMonth month, int attendedDays)
    {
        if (attendedDays <= 0)
        {
            return 0m;
        }

        if (entry.WageType == WageType.Day)
        {
            return Round(entry.WageRate * attendedDays);
        }

        var wholeMonth = entry.StartDate <= month.First && (entry.EndDate is null || entry.EndDate >= month.Last);
        return wholeMonth ? Round(entry.WageRate) : Math.Min(Round(entry.WageRate), Round(entry.WageRate * attendedDays / PaidDaysPerMonth));
    }

    /// <summary>The day wages for <paramref name="month"/> are due: the project's pay day of the next month.</summary>
    public static DateOnly DueDate(Project project, YearMonth month)
    {
        var next = month.Next;
        return new DateOnly(next.Year, next.Month, Math.Clamp(project.PayDay, 1, 28));
    }

    /// <summary>The least payment that counts as full: expected less the project's tolerance.</summary>
    public static decimal FullPaymentThreshold(Project project, decimal expected) => expected - expected * project.Tolerance;

    /// <summary>Yuan to the fen, half away from zero as banks round.</summary>
    public static decimal Round(decimal yuan) => Math.Round(yuan, 2, MidpointRounding.AwayFromZero);
}
