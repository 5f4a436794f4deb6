using System.Globalization;
using System.Text;
using SiteHub.Hub.Reconciliation;
using SiteHub.Hub.Registry;

namespace SiteHub.Simulators.Bank;

/// <summary>An anomaly the bank simulator plants in a worker's (or a stranger's) pay.</summary>
public enum PlantedAnomaly
{
    None,
    Unpaid,
    Underpaid,
    Late,
    PaidWithoutAttendance,
    PaidStranger,
    WrongPayerAccount,
    PayeeMismatch,
    FailedThenRetried,
    FailedForGood,
    ExcessivePay,
}

/// <summary>An alert that must result from the simulated month (the ground truth).</summary>
public sealed record ExpectedAlert(string Type, string? ProjectId, string? WorkerId, string? WageMonth);

/// <summary>The simulated files, as CSV text, and the alerts they must produce as of <see cref="AsOf"/>.</summary>
public sealed record BankMonth(string ProjectsCsv, string RosterCsv, string PunchesCsv, string PayoutsCsv, IReadOnlyList<ExpectedAlert> Expected, DateOnly AsOf);

/// <summary>
/// Simulates one project's month: a roster with attendance at the gate, and the bank's 代发 flow
/// paying it, with every kind of anomaly planted on workers picked at random. The ground truth
/// lists exactly the alerts a correct reconciliation raises as of the 20th of the next month
/// (five days after the due date, so late payments have landed).
/// </summary>
public static class BankSimulator
{
    private const string ProjectId = "P1";
    private const string Site = "site-1";
    private const string WageAccount = "6222600000000001";
    private const string OtherAccount = "6222609999999999";
    private const decimal Cap = 30000m;

    private static readonly string[] Surnames = ["张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴"];
    private static readonly string[] Given = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "勇", "军", "杰", "涛"];

    /// <summary>Generates <paramref name="workers"/> workers' month <paramref name="month"/> with seed <paramref name="seed"/>.</summary>
    /// <remarks>Needs at least 12 workers: one per anomaly, one idle worker, and one paid normally.</remarks>
    public static BankMonth Generate(int seed, int workers, YearMonth month)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 12);
        var random = new Random(seed);
        var due = new DateOnly(month.Next.Year, month.Next.Month, 15);
        var inv = CultureInfo.InvariantCulture;
        var projects = new StringBuilder("project_id,name,site_id,contractor,wage_account,pay_day,timezone,tolerance,no_attendance_days,excessive_pay_cap\n");
        projects.Append(inv, $"{ProjectId},一号楼,{Site},中建三局,{WageAccount},15,Asia/Shanghai,0.01,366,{Cap:F2}\n");
        var roster = new StringBuilder("worker_id,name,id_number,project_id,employer,team,bank_account,wage_type,wage_rate,start_date,end_date\n");
        var punches = new StringBuilder("event_id,site_id,device_sn,person_id,direction,occurred_at\n");
        var payouts = new StringBuilder("txn_id,payer_account,payee_name,payee_id_number,payee_account,amount,wage_month,paid_at,status\n");
        var expected = new List<ExpectedAlert>();
        var m = month.ToString();

        // The anomalies go to the first workers of a shuffled order; the idle worker (on the
        // roster, never at the gate) is the one paid without attendance.
        var planted = Enum.GetValues<PlantedAnomaly>().Where(a => a is not PlantedAnomaly.None and not PlantedAnomaly.PaidStranger).ToList();
        var order = Enumerable.Range(0, workers).OrderBy(_ => random.Next()).ToList();
        var txn = 0;
        var eventId = 0;
        for (var i = 0; i < workers; i++)
        {
            var anomaly = order.IndexOf(i) < planted.Count ? planted[order.IndexOf(i)] : PlantedAnomaly.None;
            var id = $"w{i:0000}";
            var name = Surnames[random.Next(Surnames.Length)] + Given[random.Next(Given.Length)];
            var idNumber = ResidentIdNumber.WithCheckCharacter(string.Create(inv, $"110105{1965 + random.Next(35)}{1 + random.Next(12):00}{1 + random.Next(28):00}{i % 1000:000}"));
            var account = string.Create(inv, $"62226{i:00000000000}");
            var monthly = random.Next(4) == 0;
            var rate = monthly ? 6000m + random.Next(10) * 500m : 200m + random.Next(11) * 20m;
            roster.Append(inv, $"{id},{name},{idNumber},{ProjectId},劳务公司{1 + random.Next(3)},班组{1 + random.Next(5)},{account},{(monthly ? "month" : "day")},{rate:F2},{month.First.AddMonths(-2):yyyy-MM-dd},\n");

            var days = anomaly == PlantedAnomaly.PaidWithoutAttendance ? 0 : 12 + random.Next(month.DaysInMonth - 12);
            foreach (var day in Enumerable.Range(1, month.DaysInMonth).OrderBy(_ => random.Next()).Take(days).Order())
            {
                var date = new DateOnly(month.Year, month.Month, day);
                punches.Append(inv, $"e{++eventId},{Site},DEV{1 + random.Next(4)},{id},in,{date:yyyy-MM-dd}T{7 + random.Next(2):00}:{random.Next(60):00}:00+08:00\n");
                punches.Append(inv, $"e{++eventId},{Site},DEV{1 + random.Next(4)},{id},out,{date:yyyy-MM-dd}T{17 + random.Next(2):00}:{random.Next(60):00}:00+08:00\n");
            }

            var owed = monthly ? rate : rate * days;
            void Pay(decimal amount, DateOnly on, string status = "SUCCESS", string payer = WageAccount, string? payeeName = null, string? payeeId = null) =>
                payouts.Append(inv, $"T{++txn:000000},{payer},{payeeName ?? name},{payeeId ?? idNumber},{account},{amount:F2},{m},{on:yyyy-MM-dd}T10:{random.Next(60):00}:00+08:00,{status}\n");
            void Expect(string type) => expected.Add(new ExpectedAlert(type, ProjectId, id, m));
            var onTime = due.AddDays(-random.Next(1, 10));
            switch (anomaly)
            {
                case PlantedAnomaly.Unpaid:
                    Expect("UNPAID");
                    break;
                case PlantedAnomaly.Underpaid:
                    Pay(decimal.Round(owed * 0.8m, 2), onTime);
                    Expect("UNDERPAID");
                    break;
                case PlantedAnomaly.Late:
                    Pay(owed, due.AddDays(3));
                    Expect("LATE");
                    break;
                case PlantedAnomaly.PaidWithoutAttendance:
                    Pay(monthly ? rate : rate * 10, onTime);
                    Expect("PAID_WITHOUT_ATTENDANCE");
                    break;
                case PlantedAnomaly.WrongPayerAccount:
                    Pay(owed, onTime, payer: OtherAccount);
                    Expect("NOT_FROM_WAGE_ACCOUNT");
                    break;
                case PlantedAnomaly.PayeeMismatch:
                    // Paid into the worker's account, under another person's name and ID.
                    Pay(owed, onTime, payeeName: "冒名" + name, payeeId: ResidentIdNumber.WithCheckCharacter(string.Create(inv, $"32010219900101{i % 1000:000}")));
                    Expect("PAYEE_MISMATCH");
                    break;
                case PlantedAnomaly.FailedThenRetried:
                    Pay(owed, onTime.AddDays(-1), "FAILED");
                    Pay(owed, onTime);
                    break;
                case PlantedAnomaly.FailedForGood:
                    Pay(owed, onTime, "FAILED");
                    Expect("PAYOUT_FAILED");
                    Expect("UNPAID");
                    break;
                case PlantedAnomaly.ExcessivePay:
                    Pay(owed, onTime);
                    Pay(Cap, onTime);
                    Expect("EXCESSIVE_PAY");
                    break;
                default:
                    Pay(owed, onTime);
                    break;
            }
        }

        // A stranger paid from the wage account: on no roster at all.
        payouts.Append(inv, $"T{++txn:000000},{WageAccount},幽灵,{ResidentIdNumber.WithCheckCharacter("37020219850505999")},6222699999999999,{5000m:F2},{m},{due.AddDays(-2):yyyy-MM-dd},SUCCESS\n");
        expected.Add(new ExpectedAlert("PAID_WITHOUT_ATTENDANCE", ProjectId, null, m));

        return new BankMonth(projects.ToString(), roster.ToString(), punches.ToString(), payouts.ToString(), expected, due.AddDays(5));
    }

    /// <summary>Writes the month's files and <c>expected-alerts.jsonl</c> into <paramref name="folder"/>.</summary>
    public static async Task WriteAsync(BankMonth month, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var utf8 = new UTF8Encoding(false);
        await File.WriteAllTextAsync(Path.Combine(folder, "projects.csv"), month.ProjectsCsv, utf8, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(folder, "roster.csv"), month.RosterCsv, utf8, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(folder, "punches.csv"), month.PunchesCsv, utf8, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(folder, "payouts.csv"), month.PayoutsCsv, utf8, cancellationToken);
        var lines = month.Expected.Select(a => System.Text.Json.JsonSerializer.Serialize(
            new AlertJson(a.Type, "", a.ProjectId, a.WorkerId, a.WageMonth, null, null, null, ""), ReconciliationJsonContext.Default.AlertJson));
        await File.WriteAllLinesAsync(Path.Combine(folder, "expected-alerts.jsonl"), lines, utf8, cancellationToken);
    }
}
