using System.Globalization;
using System.Text;
using SiteHub.Hub.Reconciliation;
using SiteHub.Hub.Registry;

namespace SiteHub.Simulators.Bank;

/// <summary>A simulated worker's real-name record: what the roster lists and the bank pays into.</summary>
public sealed record SimulatedWorker(string WorkerId, string Name, string IdNumber, string Account, bool Monthly, decimal Rate);

/// <summary>
/// The bank simulator for a site that is running (the demo): a project and a roster for the
/// site's workers, and the bank's 代发 flow paying the attendance the hub has recorded, with
/// anomalies planted on workers picked at random and the alerts they must raise.
/// </summary>
public static class SiteBank
{
    public const string WageAccount = "6222600000000001";
    private const string OtherAccount = "6222609999999999";
    private static readonly string[] Surnames = ["张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴"];
    private static readonly string[] Given = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "勇", "军", "杰", "涛"];

    /// <summary>Real-name records for <paramref name="workerIds"/> (valid ID numbers, distinct accounts), the same for the same seed.</summary>
    public static IReadOnlyList<SimulatedWorker> Workers(IReadOnlyList<string> workerIds, int seed)
    {
        var random = new Random(seed);
        var inv = CultureInfo.InvariantCulture;
        return [.. workerIds.Select((id, i) =>
        {
            var name = Surnames[random.Next(Surnames.Length)] + Given[random.Next(Given.Length)];
            var idNumber = ResidentIdNumber.WithCheckCharacter(string.Create(inv, $"110105{1965 + random.Next(35)}{1 + random.Next(12):00}{1 + random.Next(28):00}{i % 1000:000}"));
            var monthly = random.Next(4) == 0;
            var rate = monthly ? 6000m + random.Next(10) * 500m : 200m + random.Next(11) * 20m;
            return new SimulatedWorker(id, name, idNumber, string.Create(inv, $"62227{i:00000000000}"), monthly, rate);
        })];
    }

    /// <summary><c>projects.csv</c> with one project at <paramref name="siteId"/>.</summary>
    public static string ProjectsCsv(string projectId, string name, string siteId, string contractor) =>
        "project_id,name,site_id,contractor,wage_account,pay_day,timezone,tolerance\n"
        + $"{projectId},{name},{siteId},{contractor},{WageAccount},15,Asia/Shanghai,0.01\n";

    /// <summary><c>roster.csv</c> of <paramref name="workers"/> on <paramref name="projectId"/>, employed since <paramref name="start"/>.</summary>
    public static string RosterCsv(IReadOnlyList<SimulatedWorker> workers, string projectId, DateOnly start)
    {
        var inv = CultureInfo.InvariantCulture;
        var roster = new StringBuilder("worker_id,name,id_number,project_id,employer,team,bank_account,wage_type,wage_rate,start_date,end_date\n");
        foreach (var (w, i) in workers.Select((w, i) => (w, i)))
        {
            roster.Append(inv, $"{w.WorkerId},{w.Name},{w.IdNumber},{projectId},劳务公司{1 + i % 3},班组{1 + i % 5},{w.Account},{(w.Monthly ? "month" : "day")},{w.Rate:F2},{start:yyyy-MM-dd},\n");
        }

        return roster.ToString();
    }

    /// <summary>
    /// The bank's <c>payouts.csv</c> for <paramref name="month"/>, paid at <paramref name="paidAt"/>,
    /// for the days each worker attended (<paramref name="attendedDays"/>), with anomalies planted:
    /// paid from another account, to another name and ID, failed for good, failed then retried,
    /// over the cap, underpaid, unpaid, an absent worker paid, and a stranger paid. The expected
    /// alerts are those that stand on the day of payment; <c>UNPAID</c> and <c>UNDERPAID</c>
    /// follow once the month's wages are due.
    /// </summary>
    /// <remarks>The transaction ids start with <c>txnPrefix</c>, which makes them unique across runs; <c>cap</c> is the project's excessive-pay cap.</remarks>
    public static (string PayoutsCsv, IReadOnlyList<ExpectedAlert> Expected) Payouts(
        IReadOnlyList<SimulatedWorker> workers, IReadOnlyDictionary<string, int> attendedDays, string projectId, YearMonth month, DateTimeOffset paidAt, string txnPrefix, int seed, decimal cap = 50_000m)
    {
        var random = new Random(seed);
        var inv = CultureInfo.InvariantCulture;
        var m = month.ToString();
        var payouts = new StringBuilder("txn_id,payer_account,payee_name,payee_id_number,payee_account,amount,wage_month,paid_at,status\n");
        var expected = new List<ExpectedAlert>();
        var txn = 0;
        var at = paidAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", inv);
        void Pay(SimulatedWorker w, decimal amount, string status = "SUCCESS", string payer = WageAccount, string? name = null, string? id = null) =>
            payouts.Append(inv, $"{txnPrefix}-{++txn:0000},{payer},{name ?? w.Name},{id ?? w.IdNumber},{w.Account},{amount:F2},{m},{at},{status}\n");
        void Expect(string type, string? worker) => expected.Add(new ExpectedAlert(type, projectId, worker, m));

        var present = workers.Where(w => attendedDays.GetValueOrDefault(w.WorkerId) > 0).OrderBy(_ => random.Next()).ToList();
        var absent = workers.Where(w => attendedDays.GetValueOrDefault(w.WorkerId) == 0).ToList();
        PlantedAnomaly[] planted =
        [
            PlantedAnomaly.WrongPayerAccount, PlantedAnomaly.PayeeMismatch, PlantedAnomaly.FailedForGood, PlantedAnomaly.FailedThenRetried,
            PlantedAnomaly.ExcessivePay, PlantedAnomaly.Underpaid, PlantedAnomaly.Unpaid,
        ];
        for (var i = 0; i < present.Count; i++)
        {
            var w = present[i];
            var owed = w.Monthly ? Math.Min(w.Rate, decimal.Round(w.Rate * attendedDays[w.WorkerId] / 21.75m, 2)) : w.Rate * attendedDays[w.WorkerId];
            switch (i < planted.Length ? planted[i] : PlantedAnomaly.None)
            {
                case PlantedAnomaly.WrongPayerAccount:
                    Pay(w, owed, payer: OtherAccount);
                    Expect("NOT_FROM_WAGE_ACCOUNT", w.WorkerId);
                    break;
                case PlantedAnomaly.PayeeMismatch:
                    Pay(w, owed, name: "冒名" + w.Name, id: ResidentIdNumber.WithCheckCharacter(string.Create(inv, $"32010219900101{i % 1000:000}")));
                    Expect("PAYEE_MISMATCH", w.WorkerId);
                    break;
                case PlantedAnomaly.FailedForGood:
                    Pay(w, owed, "FAILED");
                    Expect("PAYOUT_FAILED", w.WorkerId);
                    break;
                case PlantedAnomaly.FailedThenRetried:
                    Pay(w, owed, "FAILED");
                    Pay(w, owed);
                    break;
                case PlantedAnomaly.ExcessivePay:
                    Pay(w, owed);
                    Pay(w, cap);
                    Expect("EXCESSIVE_PAY", w.WorkerId);
                    break;
                case PlantedAnomaly.Underpaid:
                    Pay(w, decimal.Round(owed * 0.8m, 2));
                    break;
                case PlantedAnomaly.Unpaid:
                    break;
                default:
                    Pay(w, owed);
                    break;
            }
        }

        if (absent.Count > 0)
        {
            var idle = absent[random.Next(absent.Count)];
            Pay(idle, 300m);
            Expect("PAID_WITHOUT_ATTENDANCE", idle.WorkerId);
        }

        payouts.Append(inv, $"{txnPrefix}-{++txn:0000},{WageAccount},幽灵,{ResidentIdNumber.WithCheckCharacter("37020219850505999")},6222799999999999,{5000m:F2},{m},{at},SUCCESS\n");
        Expect("PAID_WITHOUT_ATTENDANCE", null);
        return (payouts.ToString(), expected);
    }
}
