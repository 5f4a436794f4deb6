using System.Diagnostics;
using System.Text;
using System.Text.Json;
using SiteHub.Testing;

namespace SiteHub.Hub.Tests.Reconciliation;

/// <summary>The built hub run as <c>SiteHub.Hub reconcile …</c>, as the external tests run it.</summary>
public sealed class ReconcileCommandTests : IDisposable
{
    private const string W1 = "11010519491231002X";
    private const string W2 = "440308199901010012";
    private readonly TempFolder _folder = new("reconcile");

    public ReconcileCommandTests()
    {
        File.WriteAllText(_folder.Combine("projects.csv"), """
            project_id,name,site_id,contractor,wage_account,pay_day,timezone,tolerance
            P1,一号楼,site-1,中建,6222000000000001,15,Asia/Shanghai,0.01
            P2,Tower,site-2,ACME,6222000000000002,10,America/Los_Angeles,0.01

            """);
        var w3 = global::SiteHub.Hub.Registry.ResidentIdNumber.WithCheckCharacter("11010519800101003");
        File.WriteAllText(_folder.Combine("roster.csv"), $"""
            worker_id,name,id_number,project_id,employer,team,bank_account,wage_type,wage_rate,start_date,end_date
            w1,张三,{W1},P1,劳务公司,木工班,6222021234561234,day,300.00,2024-01-01,
            w2,李四,{W2},P1,劳务公司,木工班,6222021234561235,month,6000.00,2024-01-01,
            w3,Ann,{w3},P2,Sub,Crew,6222021234561236,day,200.00,2024-01-01,
            w4,王五,110105194912310021,P1,劳务公司,木工班,6222021234561237,day,300.00,2024-01-01,

            """);
        File.WriteAllText(_folder.Combine("punches.csv"), """
            event_id,site_id,device_sn,person_id,direction,occurred_at
            e1,site-1,D1,w1,in,2024-03-01T08:00:00+08:00
            e2,site-1,D1,w1,out,2024-03-01T17:00:00+08:00
            e3,site-1,D1,w1,in,2024-03-02T08:00:00+08:00
            e4,site-1,D1,w2,in,2024-03-01T08:00:00+08:00
            e5,site-2,D2,w3,in,2024-03-05T08:00:00-08:00
            e6,site-1,D1,zz,in,2024-03-03T08:00:00+08:00
            e7,site-1,D1,w1,in,2024-04-18T08:00:00+08:00

            """);
        File.WriteAllText(_folder.Combine("payouts.csv"), $"""
            txn_id,payer_account,payee_name,payee_id_number,payee_account,amount,wage_month,paid_at,status
            t1,6222000000000001,张三,{W1},6222021234561234,600.00,2024-03,2024-04-10T10:00:00+08:00,SUCCESS
            t2,6222000000000001,李四,{W2},6222021234561235,3000.00,2024-03,2024-04-12,SUCCESS
            t3,6222000000000001,Ghost,,6222999999999999,1000.00,2024-03,2024-04-12,SUCCESS
            t1,6222000000000001,张三,{W1},6222021234561234,600.00,2024-03,2024-04-10T10:00:00+08:00,SUCCESS

            """);
    }

    private string[] Arguments(string asOf = "2024-04-20") =>
        ["reconcile", "--projects", _folder.Combine("projects.csv"), "--roster", _folder.Combine("roster.csv"),
            "--punches", _folder.Combine("punches.csv"), "--payouts", _folder.Combine("payouts.csv"), "--as-of", asOf];

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(TestEnvironment.AppDll("hub/SiteHub.Hub"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        using var process = Process.Start(info)!;
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Reconcile_prints_the_standing_alerts_as_json_lines_and_exits_0_despite_bad_rows()
    {
        var (code, stdout, stderr) = await RunAsync(Arguments());

        Assert.True(code == 0, stderr);
        var alerts = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(
            ["NO_ATTENDANCE P2 - -", "PAID_WITHOUT_ATTENDANCE P1 - 2024-03", "UNDERPAID P1 w2 2024-03", "UNPAID P2 w3 2024-03", "UNREGISTERED_PUNCH P1 zz 2024-03"],
            alerts.Select(a => $"{a.GetProperty("type").GetString()} {a.GetProperty("project_id").GetString()} {a.GetProperty("worker_id").GetString() ?? "-"} {a.GetProperty("wage_month").GetString() ?? "-"}").Order(StringComparer.Ordinal));
        var underpaid = alerts.Single(a => a.GetProperty("type").GetString() == "UNDERPAID");
        Assert.Equal((6000.00m, 3000.00m, 1, "high"), (underpaid.GetProperty("expected").GetDecimal(), underpaid.GetProperty("paid").GetDecimal(), underpaid.GetProperty("days").GetInt32(), underpaid.GetProperty("severity").GetString()));
        var unpaid = alerts.Single(a => a.GetProperty("type").GetString() == "UNPAID");
        Assert.Equal((200.00m, 0m, 1), (unpaid.GetProperty("expected").GetDecimal(), unpaid.GetProperty("paid").GetDecimal(), unpaid.GetProperty("days").GetInt32()));
        Assert.All(alerts, a => Assert.Equal(["type", "severity", "project_id", "worker_id", "wage_month", "expected", "paid", "days", "detail"], a.EnumerateObject().Select(p => p.Name)));
        Assert.Contains("roster.csv:5: id_number:", stderr, StringComparison.Ordinal);
        Assert.Contains("payouts.csv:5: txn_id: duplicate txn_id 't1'", stderr, StringComparison.Ordinal);
        foreach (var secret in new[] { W1, W2, "6222021234561235", "6222999999999999", "110105194912310021" })
        {
            Assert.DoesNotContain(secret, stdout + stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_punch_file_that_turns_out_not_plain_after_a_megabyte_is_read_again_with_the_same_alerts_and_errors()
    {
        // The file is read in one pass until a quoted field after the first block: it is then read
        // again from its start by the general reader. The extra rows repeat punches (no change).
        var (_, expected, _) = await RunAsync(Arguments());
        var punches = new StringBuilder(await File.ReadAllTextAsync(_folder.Combine("punches.csv"), TestContext.Current.CancellationToken));
        for (var i = 0; i < 30_000; i++)
        {
            punches.Append("e1,site-1,D1,w1,in,2024-03-01T08:00:00+08:00\n");
        }

        punches.Append("e2,\"site-1\",D1,w1,out,2024-03-01T17:00:00+08:00\ne9,site-1,D1,w1,in\n");
        await File.WriteAllTextAsync(_folder.Combine("punches.csv"), punches.ToString(), TestContext.Current.CancellationToken);

        var (code, stdout, stderr) = await RunAsync(Arguments());

        Assert.True(code == 0, stderr);
        Assert.Equal(expected, stdout);
        Assert.Single(stderr.Split('\n'), line => line.StartsWith(_folder.Combine("punches.csv"), StringComparison.Ordinal) || line.StartsWith("punches.csv", StringComparison.Ordinal));
        Assert.Contains("has 5 fields, the header has 6", stderr, StringComparison.Ordinal);
        Assert.Contains("30008 punches", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconcile_writes_to_the_out_file_and_as_a_table()
    {
        var output = _folder.Combine("alerts.txt");

        var (code, stdout, stderr) = await RunAsync([.. Arguments(), "--format", "table", "--out", output]);

        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("UNPAID", stdout, StringComparison.Ordinal);
        var lines = await File.ReadAllLinesAsync(output, TestContext.Current.CancellationToken);
        Assert.StartsWith("TYPE", lines[0], StringComparison.Ordinal);
        Assert.Equal(6, lines.Length);
        Assert.Contains(lines, l => l.StartsWith("UNPAID", StringComparison.Ordinal) && l.Contains("200.00", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reconcile_exits_2_for_an_undecodable_file_and_names_it()
    {
        await File.WriteAllBytesAsync(_folder.Combine("punches.csv"),
            [.. Encoding.UTF8.GetBytes("event_id,site_id,device_sn,person_id,direction,occurred_at\ne1,site-1,D1,"), 0x80, 0xFF, .. "\n"u8], TestContext.Current.CancellationToken);

        var (code, stdout, stderr) = await RunAsync(Arguments());

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains("punches.csv: is in no supported encoding", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconcile_exits_2_for_a_missing_file_and_1_for_a_bad_date()
    {
        File.Delete(_folder.Combine("payouts.csv"));

        Assert.Equal(2, (await RunAsync(Arguments())).Code);
        var (code, _, stderr) = await RunAsync(Arguments("20-04-2024"));
        Assert.Equal(1, code);
        Assert.Contains("--as-of", stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();
}
