using System.Text;
using SiteHub.Hub.Imports;
using SiteHub.Hub.Reconciliation;
using SiteHub.Hub.Registry;
using SiteHub.Simulators.Bank;

namespace SiteHub.Hub.Tests.Reconciliation;

public sealed class BankSimulatorTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(42)]
    [InlineData(2024)]
    public void Every_planted_anomaly_is_found_and_nothing_else(int seed)
    {
        var month = BankSimulator.Generate(seed, 60, new YearMonth(2024, 3));
        var importer = new CsvImporter(KeyedHasher.Ephemeral(), new ImportOptions(), TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"), new DateOnly(2024, 6, 1));
        var errors = new List<ImportError>();
        static MemoryStream Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

        var projects = importer.ReadProjects(Bytes(month.ProjectsCsv), "projects.csv", errors);
        var roster = importer.ReadRoster(Bytes(month.RosterCsv), "roster.csv", projects.ToDictionary(p => p.ProjectId), errors);
        var ledger = new ReconciliationLedger(projects, roster, ReconciliationSettings.Default);
        foreach (var punch in importer.ReadPunches(Bytes(month.PunchesCsv), "punches.csv", errors))
        {
            ledger.AddPunch(punch);
        }

        foreach (var payout in importer.ReadPayouts(Bytes(month.PayoutsCsv), "payouts.csv", errors))
        {
            ledger.AddPayout(payout);
        }

        var found = BulkReconciler.Run(ledger, month.AsOf).Select(a => new ExpectedAlert(a.Type.Code(), a.ProjectId, a.WorkerId, a.WageMonth?.ToString()));

        Assert.Empty(errors);
        Assert.Equal(8, month.Expected.Select(e => e.Type).Distinct().Count()); // every pay alert type; a retried failure raises none
        Assert.Equal(month.Expected.OrderBy(e => e.ToString(), StringComparer.Ordinal), found.OrderBy(e => e.ToString(), StringComparer.Ordinal));
    }
}
