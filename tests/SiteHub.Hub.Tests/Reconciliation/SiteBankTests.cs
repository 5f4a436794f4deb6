using System.Text;
using SiteHub.Hub.Imports;
using SiteHub.Hub.Reconciliation;
using SiteHub.Hub.Registry;
using SiteHub.Simulators.Bank;

namespace SiteHub.Hub.Tests.Reconciliation;

/// <summary>The demo's bank: what it plants on the day it pays is exactly what the rules raise that day.</summary>
public sealed class SiteBankTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2026)]
    public void The_anomalies_planted_for_a_running_site_are_found_on_the_day_of_payment(int seed)
    {
        var ids = Enumerable.Range(1, 30).Select(i => $"W{i:D4}").ToList();
        var workers = SiteBank.Workers(ids, seed);
        var month = new YearMonth(2026, 11);
        var paidAt = new DateTimeOffset(2026, 11, 26, 18, 0, 0, TimeSpan.FromHours(8));
        var days = ids.Select((id, i) => (id, days: i % 9 == 0 ? 0 : 1 + i % 3)).ToDictionary(x => x.id, x => x.days);
        var importer = new CsvImporter(KeyedHasher.Ephemeral(), new ImportOptions(), TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"), new DateOnly(2026, 11, 26));
        var errors = new List<ImportError>();
        static MemoryStream Bytes(string text) => new(Encoding.UTF8.GetBytes(text));
        var projects = importer.ReadProjects(Bytes(SiteBank.ProjectsCsv("demo", "Demo", "demo-site", "示范")), "projects.csv", errors);
        var roster = importer.ReadRoster(Bytes(SiteBank.RosterCsv(workers, "demo", new DateOnly(2026, 10, 1))), "roster.csv", projects.ToDictionary(p => p.ProjectId), errors);
        var ledger = new ReconciliationLedger(projects, roster, ReconciliationSettings.Default);
        foreach (var (id, count) in days)
        {
            for (var d = 1; d <= count; d++)
            {
                ledger.AddPunch(new GatePunch("demo-site", id, Protocols.Punches.Direction.In, new DateTimeOffset(2026, 11, d, 8, 0, 0, TimeSpan.FromHours(8))));
            }
        }

        var (csv, expected) = SiteBank.Payouts(workers, days, "demo", month, paidAt, "T", seed);
        foreach (var payout in importer.ReadPayouts(Bytes(csv), "payouts.csv", errors))
        {
            ledger.AddPayout(payout);
        }

        var found = BulkReconciler.Run(ledger, new DateOnly(2026, 11, 26)).Where(a => a.Type != AlertType.NoAttendance)
            .Select(a => new ExpectedAlert(a.Type.Code(), a.ProjectId, a.WorkerId, a.WageMonth?.ToString()));

        Assert.Empty(errors);
        Assert.Equal(5, expected.Select(e => e.Type).Distinct().Count()); // paid from elsewhere, to another name, failed, over the cap, without attendance
        Assert.Equal(expected.OrderBy(e => e.ToString(), StringComparer.Ordinal), found.OrderBy(e => e.ToString(), StringComparer.Ordinal));
    }
}
