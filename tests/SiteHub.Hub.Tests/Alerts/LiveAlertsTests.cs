using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using SiteHub.Hub.Reconciliation;
using SiteHub.Simulators.Bank;
using SiteHub.Testing;

namespace SiteHub.Hub.Tests.Alerts;

/// <summary>The live hub's alerts, fed as in production: files through the REST API, punches over MQTT as a gateway.</summary>
public sealed partial class LiveAlertsTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static DateTimeOffset NoonIn(DateOnly day) => new(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.FromHours(8));

    /// <summary>The bank simulator's month, run through a live hub whose clock starts on the 1st of the month after.</summary>
    private static async Task<(LiveHub Hub, BankMonth Month)> RunBankMonthAsync(int seed)
    {
        var month = BankSimulator.Generate(seed, 40, new YearMonth(2024, 3));
        var live = await LiveHub.StartAsync(NoonIn(new DateOnly(2024, 4, 1)), "site-1");
        Assert.Equal(HttpStatusCode.OK, (await live.ImportAsync("projects", month.ProjectsCsv)).Status);
        Assert.Equal(HttpStatusCode.OK, (await live.ImportAsync("roster", month.RosterCsv)).Status);
        await live.PublishPunchesAsync("site-1", month.PunchesCsv);
        var (status, result) = await live.ImportAsync("payouts", month.PayoutsCsv, "file=bank-2024-03.csv");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, result.GetProperty("skipped").GetInt32());
        await live.AdvanceToAsync(NoonIn(month.AsOf));
        return (live, month);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(42)]
    public async Task The_live_hub_raises_exactly_the_alerts_of_the_reconcile_command(int seed)
    {
        var (live, month) = await RunBankMonthAsync(seed);
        await using var _ = live;
        using var folder = new TempFolder("live-vs-bulk");
        await BankSimulator.WriteAsync(month, folder.Path, Token);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = ReconcileCommand.Run(new ReconcileArguments(folder.Combine("projects.csv"), folder.Combine("roster.csv"), folder.Combine("punches.csv"),
            folder.Combine("payouts.csv"), month.AsOf.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)), stdout, stderr, Token);
        var bulk = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => LiveHub.InterchangeLine(JsonDocument.Parse(line).RootElement)).Order(StringComparer.Ordinal).ToList();
        // The payroll rules' alerts: the fake clock's jump to the end of the month leaves the gateway silent (GATEWAY_OFFLINE), which reconcile knows nothing of.
        var liveAlerts = (await live.AlertLinesAsync()).Where(line => !AlertTypes.IsOutsideRules(line.Split(" | ")[0])).ToList();

        Assert.Equal(0, code);
        Assert.Equal(month.Expected.Count, bulk.Count);
        Assert.Equal(bulk, liveAlerts);
    }

    [Fact]
    public async Task A_late_payment_resolves_UNPAID_and_raises_LATE_with_history()
    {
        var (live, bank) = await RunBankMonthAsync(7);
        await using var __ = live;
        var unpaid = (await live.GetAsync("/api/alerts?status=open&type=UNPAID")).EnumerateArray().First(a => a.GetProperty("wage_month").GetString() == "2024-03");
        var worker = unpaid.GetProperty("worker_id").GetString()!;
        var roster = (await live.GetAsync($"/api/workers/{worker}/months/2024-03"));
        var expected = roster.GetProperty("projects")[0].GetProperty("expected").GetDecimal();
        var (name, idNumber, account) = RosterRow(bank, worker);

        var (status, result) = await live.ImportAsync("payouts",
            $"txn_id,payer_account,payee_name,payee_id_number,payee_account,amount,wage_month,paid_at,status\nLATE-1,6222600000000001,{name},{idNumber},{account},{expected:F2},2024-03,2024-04-20T09:00:00+08:00,SUCCESS\n");

        Assert.Equal((HttpStatusCode.OK, 1), (status, result.GetProperty("imported").GetInt32()));
        var before = await live.GetAsync($"/api/alerts/{unpaid.GetProperty("id").GetInt64()}");
        Assert.Equal("resolved", before.GetProperty("status").GetString());
        Assert.Equal("system", before.GetProperty("resolved_by").GetString());
        Assert.Equal(["raised", "resolved"], before.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("action").GetString()));
        var late = Assert.Single((await live.GetAsync($"/api/alerts?status=open&type=LATE&worker={worker}")).EnumerateArray());
        Assert.Equal(expected, late.GetProperty("paid").GetDecimal());
        var month = await live.GetAsync($"/api/workers/{worker}/months/2024-03");
        Assert.Contains(month.GetProperty("payouts").EnumerateArray(), p => p.GetProperty("txn_id").GetString() == "LATE-1");
        Assert.Contains(month.GetProperty("alerts").EnumerateArray(), a => a.GetProperty("type").GetString() == "LATE");

        using var ack = await live.Api.PostAsJsonAsync($"/api/alerts/{late.GetProperty("id").GetInt64()}/acknowledge", new { comment = "called the employer" }, Token);
        using var resolve = await live.Api.PostAsJsonAsync($"/api/alerts/{late.GetProperty("id").GetInt64()}/resolve", new { comment = "paid, late by 5 days" }, Token);
        using var again = await live.Api.PostAsJsonAsync($"/api/alerts/{late.GetProperty("id").GetInt64()}/resolve", new { comment = "twice" }, Token);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Conflict), (ack.StatusCode, resolve.StatusCode, again.StatusCode));
        var history = (await live.GetAsync($"/api/alerts/{late.GetProperty("id").GetInt64()}")).GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(["raised", "acknowledged", "resolved"], history.Select(h => h.GetProperty("action").GetString()));
        Assert.Equal(("admin", "paid, late by 5 days"), (history[2].GetProperty("user").GetString(), history[2].GetProperty("comment").GetString()));
    }

    [Fact]
    public async Task The_project_month_and_the_contractor_credit_reflect_the_alerts()
    {
        var (live, month) = await RunBankMonthAsync(3);
        await using var _ = live;

        var reconciliation = await live.GetAsync("/api/projects/P1/reconciliation/2024-03");
        var credit = await live.GetAsync($"/api/contractors/{Uri.EscapeDataString("中建三局")}/credit");

        var workers = reconciliation.GetProperty("workers").EnumerateArray().ToList();
        Assert.Equal(40, workers.Count);
        foreach (var expected in month.Expected.Where(e => e.WorkerId is not null && e.Type is "UNPAID" or "UNDERPAID" or "LATE"))
        {
            Assert.Contains(expected.Type, workers.Single(w => w.GetProperty("worker_id").GetString() == expected.WorkerId).GetProperty("status").GetString(), StringComparison.Ordinal);
        }

        Assert.Contains(workers, w => w.GetProperty("status").GetString() == "ok");
        Assert.Equal("D", credit.GetProperty("grade").GetString());
        var reasons = credit.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("text").GetString()).ToList();
        Assert.Contains("2 UNPAID alerts in the last 12 months: −20", reasons);
    }

    [Fact]
    public async Task No_API_response_or_log_line_of_a_full_run_contains_a_clear_ID_or_account_number()
    {
        var (live, month) = await RunBankMonthAsync(11);
        await using var _ = live;
        var alerts = (await live.GetAsync("/api/alerts")).EnumerateArray().ToList();
        foreach (var alert in alerts)
        {
            await live.GetAsync($"/api/alerts/{alert.GetProperty("id").GetInt64()}");
        }

        var workers = month.RosterCsv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')[0]).ToList();
        foreach (var worker in workers)
        {
            await live.GetAsync($"/api/workers/{worker}");
            await live.GetAsync($"/api/workers/{worker}/months/2024-03");
        }

        await live.GetAsync("/api/projects");
        await live.GetAsync("/api/projects/P1");
        await live.GetAsync("/api/projects/P1/reconciliation/2024-03");
        await live.GetAsync("/api/imports");
        await live.GetAsync($"/api/contractors/{Uri.EscapeDataString("中建三局")}/credit");
        await live.ImportAsync("payouts", month.PayoutsCsv); // the same file again: its answer too
        var someone = (await live.GetAsync("/api/alerts?status=open&type=UNPAID"))[0].GetProperty("id").GetInt64();
        using var commented = await live.Api.PostAsJsonAsync($"/api/alerts/{someone}/acknowledge",
            new { comment = $"worker {RosterRow(month, workers[0]).IdNumber} says account {RosterRow(month, workers[0]).Account} is right" }, Token);
        await live.GetAsync($"/api/alerts/{someone}");

        var secrets = ClearNumbers(month).ToList();
        Assert.True(live.Responses.Count > 2 * workers.Count, "the run made the requests");
        Assert.True(secrets.Count > 2 * workers.Count, "the roster and payouts have numbers to look for");
        Assert.True(live.Logs.Count > 0, "the hub logged");
        foreach (var line in live.Logs)
        {
            Assert.False(IdNumber().IsMatch(line), "a log line holds an 18-character ID number");
            Assert.DoesNotContain(secrets, s => line.Contains(s, StringComparison.Ordinal));
        }

        foreach (var (request, body) in live.Responses)
        {
            if (IdNumber().Match(body) is { Success: true } found)
            {
                Assert.Fail($"{request} answered an 18-character ID number: {found.Value[..4]}…");
            }

            Assert.DoesNotContain(secrets, s => body.Contains(s, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Imports_report_bad_rows_import_the_good_ones_and_never_import_twice()
    {
        await using var live = await LiveHub.StartAsync(NoonIn(new DateOnly(2024, 4, 1)));
        var projects = "project_id,name,site_id,contractor,wage_account,pay_day,timezone,tolerance\nP1,一号楼,site-1,中建,6222000000000001,15,Asia/Shanghai,0.01\nP2,Bad,site-2,X,12,40,Nowhere/City,2\n";

        var (status, first) = await live.ImportAsync("projects", projects, "file=projects-march.csv");
        var (_, second) = await live.ImportAsync("projects", projects, "file=projects-march.csv");
        var roster = $"worker_id,name,id_number,project_id,employer,team,bank_account,wage_type,wage_rate,start_date,end_date\nw1,张三,11010519491231002X,P1,劳务,木工,6222021234561234,day,300.00,2024-01-01,\nw2,李四,110105194912310021,P1,劳务,木工,6222021234561235,day,300.00,2024-01-01,\nw3,王五,440308199901010012,P9,劳务,木工,6222021234561236,day,300.00,2024-01-01,\n";
        var (_, rosterResult) = await live.ImportAsync("roster", roster);
        var payouts = "txn_id,payer_account,payee_name,payee_id_number,payee_account,amount,wage_month,paid_at,status\nT1,6222000000000001,张三,11010519491231002X,6222021234561234,300.00,2024-03,2024-04-10,SUCCESS\nT2,6222000000000001,张三,11010519491231002X,6222021234561234,-5,2024-03,2024-04-10,SUCCESS\n";
        var (_, payoutResult) = await live.ImportAsync("payouts", payouts);
        var (_, renamed) = await live.ImportAsync("payouts", payouts.Replace("T2,", "T3,", StringComparison.Ordinal).Replace("-5", "5.00", StringComparison.Ordinal));
        var (_, stolen) = await live.ImportAsync("projects", "project_id,name,site_id,contractor,wage_account,pay_day,timezone,tolerance\nP3,三号楼,site-3,中建,6222000000000001,15,Asia/Shanghai,0.01\n");
        var history = await live.GetAsync("/api/imports");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal((1, 1), (first.GetProperty("imported").GetInt32(), first.GetProperty("skipped").GetInt32()));
        var errors = first.GetProperty("errors").EnumerateArray().ToList();
        Assert.All(errors, e => Assert.Equal(("projects-march.csv", 3), (e.GetProperty("file").GetString(), e.GetProperty("line").GetInt32())));
        Assert.Equal(["pay_day", "timezone", "tolerance", "wage_account"], errors.Select(e => e.GetProperty("column").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal((0, first.GetProperty("import_id").GetInt64()), (second.GetProperty("imported").GetInt32(), second.GetProperty("duplicate_of").GetInt64()));
        Assert.Equal((1, 2), (rosterResult.GetProperty("imported").GetInt32(), rosterResult.GetProperty("skipped").GetInt32()));
        Assert.Equal((1, 1), (payoutResult.GetProperty("imported").GetInt32(), payoutResult.GetProperty("skipped").GetInt32()));
        Assert.Equal(1, renamed.GetProperty("imported").GetInt32());
        Assert.Contains("imported before", renamed.GetProperty("errors")[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal((0, "wage_account"), (stolen.GetProperty("imported").GetInt32(), stolen.GetProperty("errors")[0].GetProperty("column").GetString()));
        Assert.Equal(6, history.GetArrayLength());
        Assert.Equal(["projects", "payouts", "payouts", "roster", "projects", "projects"], history.EnumerateArray().Select(i => i.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task Bad_input_is_a_400_with_a_problem_naming_the_field_never_a_500()
    {
        await using var live = await LiveHub.StartAsync(NoonIn(new DateOnly(2024, 4, 1)));
        await live.ImportAsync("projects", "project_id,name,site_id,contractor,wage_account,pay_day,timezone,tolerance\nP1,一号楼,site-1,中建,6222000000000001,15,Asia/Shanghai,0.01\n");
        await live.ImportAsync("roster", "worker_id,name,id_number,project_id,employer,team,bank_account,wage_type,wage_rate,start_date,end_date\nw1,张三,11010519491231002X,P1,劳务,木工,6222021234561234,day,300.00,2024-01-01,\n");
        async Task<(HttpStatusCode, string)> Send(HttpMethod method, string path, string? body = null, string type = "application/json")
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = new StringContent(body, System.Text.Encoding.UTF8, type);
            }

            using var response = await live.Api.SendAsync(request, Token);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(Token));
        }

        var cases = new (HttpMethod Method, string Path, string? Body, string Type, string Field)[]
        {
            (HttpMethod.Get, "/api/alerts?status=bogus", null, "", "status"),
            (HttpMethod.Get, "/api/alerts?type=NOPE", null, "", "type"),
            (HttpMethod.Get, "/api/alerts?month=2024-13", null, "", "month"),
            (HttpMethod.Get, "/api/workers/w1/months/March", null, "", "month"),
            (HttpMethod.Get, "/api/projects/P1/reconciliation/2024-3", null, "", "month"),
            (HttpMethod.Get, "/api/alerts/abc", null, "", "id"),
            (HttpMethod.Get, "/api/imports?limit=0", null, "", "limit"),
            (HttpMethod.Post, "/api/imports/payouts?encoding=latin1", "a,b\n", "text/csv", "encoding"),
            (HttpMethod.Post, "/api/imports/payouts", null, "text/csv", "body"),
            (HttpMethod.Put, "/api/workers/w1", "{\"id_number\":\"110105194912310021\"}", "application/json", "id_number"),
            (HttpMethod.Put, "/api/workers/w1", "{\"bank_account\":\"12ab\"}", "application/json", "bank_account"),
            (HttpMethod.Put, "/api/workers/w1", "{\"wage_rate\":", "application/json", "body"),
            (HttpMethod.Put, "/api/workers/w2", "{\"project_id\":\"P9\"}", "application/json", "project_id"),
            (HttpMethod.Put, "/api/projects/P1", "{\"pay_day\":31,\"timezone\":\"Mars/Olympus\"}", "application/json", "pay_day"),
            (HttpMethod.Post, "/api/alerts/1/acknowledge", "[1,2]", "application/json", "body"),
        };
        foreach (var (method, path, body, type, field) in cases)
        {
            var (status, text) = await Send(method, path, body, type);
            Assert.True(status == HttpStatusCode.BadRequest, $"{method} {path}: {(int)status} {text}");
            Assert.Contains($"\"{field}\"", text, StringComparison.Ordinal);
        }

        var (csvStatus, csvText) = await Send(HttpMethod.Post, "/api/imports/payouts", "no,such,columns\n1,2,3\n", "text/csv");
        Assert.Equal(HttpStatusCode.BadRequest, csvStatus);
        Assert.Contains("has no column txn_id", csvText, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, "/api/workers/nobody")).Item1);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Post, "/api/imports/punches", "a\n", "text/csv")).Item1);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Get, "/api/contractors/nobody/credit")).Item1);
    }

    [Fact]
    public async Task A_worker_edited_with_a_clear_ID_number_is_stored_hashed_and_shown_masked()
    {
        await using var live = await LiveHub.StartAsync(NoonIn(new DateOnly(2024, 4, 1)));
        await live.ImportAsync("projects", "project_id,name,site_id,contractor,wage_account,pay_day,timezone,tolerance\nP1,一号楼,site-1,中建,6222000000000001,15,Asia/Shanghai,0.01\n");

        using var created = await live.Api.PutAsJsonAsync("/api/workers/w7", new
        {
            project_id = "P1", name = "赵六", id_number = "440308199901010012", bank_account = "6222 0212 3456 1299",
            wage_type = "day", wage_rate = 280.00m, start_date = "2024-03-01", employer = "劳务", team = "钢筋",
        }, Token);
        using var renamed = await live.Api.PutAsJsonAsync("/api/workers/w7", new { name = "赵 六" }, Token);
        var worker = await live.GetAsync("/api/workers/w7");
        using var project = await live.Api.PutAsJsonAsync("/api/projects/P1", new { pay_day = 10, no_attendance_days = 3 }, Token);
        var stored = await File.ReadAllBytesAsync(Path.Combine(live.Hub.DataPath, "registry.db"), Token);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK), (created.StatusCode, renamed.StatusCode, project.StatusCode));
        Assert.Equal(("赵 六", "4403**********0012"), (worker.GetProperty("name").GetString(), worker.GetProperty("id_number").GetString()));
        Assert.Equal("6222********1299", worker.GetProperty("enrolments")[0].GetProperty("bank_account").GetString());
        Assert.Equal(10, (await live.GetAsync("/api/projects/P1")).GetProperty("pay_day").GetInt32());
        Assert.Equal(-1, stored.AsSpan().IndexOf("440308199901010012"u8));
        Assert.Equal(-1, stored.AsSpan().IndexOf("6222021234561299"u8));
    }

    [Fact]
    public async Task Without_a_configured_key_the_hub_generates_one_readable_only_by_its_owner()
    {
        await using var live = await LiveHub.StartAsync(NoonIn(new DateOnly(2024, 4, 1)));
        await live.ImportAsync("projects", "project_id,name,site_id,contractor,wage_account,pay_day,timezone,tolerance\nP1,一号楼,site-1,中建,6222000000000001,15,Asia/Shanghai,0.01\n");

        var key = Path.Combine(live.Hub.DataPath, "registry.key");

        Assert.True(File.Exists(key));
        Assert.True((await File.ReadAllTextAsync(key, Token)).Trim().Length >= 32);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        }
    }

    [Fact]
    public async Task After_a_restart_the_same_alerts_stand_on_the_same_records_and_the_key_still_matches()
    {
        using var data = new TempFolder("hub-restart");
        var bank = BankSimulator.Generate(5, 30, new YearMonth(2024, 3));
        List<string> before;
        Dictionary<string, long> ids;
        Dictionary<long, int> histories = [];
        await using (var first = await LiveHub.StartOnAsync(NoonIn(bank.AsOf), data.Path, "site-1"))
        {
            await first.ImportAsync("projects", bank.ProjectsCsv);
            await first.ImportAsync("roster", bank.RosterCsv);
            await first.PublishPunchesAsync("site-1", bank.PunchesCsv);
            await first.ImportAsync("payouts", bank.PayoutsCsv);
            before = await first.AlertLinesAsync();
            ids = (await first.GetAsync("/api/alerts")).EnumerateArray().ToDictionary(LiveHub.InterchangeLine, a => a.GetProperty("id").GetInt64());
            foreach (var id in ids.Values)
            {
                histories[id] = (await first.GetAsync($"/api/alerts/{id}")).GetProperty("history").GetArrayLength();
            }
        }

        await using var second = await LiveHub.StartOnAsync(NoonIn(bank.AsOf), data.Path, "site-1");
        var after = await second.AlertLinesAsync();
        var alerts = (await second.GetAsync("/api/alerts")).EnumerateArray().ToList();
        var (_, again) = await second.ImportAsync("payouts", bank.PayoutsCsv.Replace("T000001,", "X000001,", StringComparison.Ordinal));

        Assert.Equal(bank.Expected.Count, before.Count);
        Assert.Equal(before, after);
        Assert.All(alerts, a => Assert.Equal(ids[LiveHub.InterchangeLine(a)], a.GetProperty("id").GetInt64()));
        foreach (var id in ids.Values)
        {
            Assert.Equal(histories[id], (await second.GetAsync($"/api/alerts/{id}")).GetProperty("history").GetArrayLength());
        }

        Assert.Equal(1, again.GetProperty("imported").GetInt32()); // only the renamed transaction: the others were imported before the restart
    }

    private static (string Name, string IdNumber, string Account) RosterRow(BankMonth month, string worker)
    {
        var f = month.RosterCsv.Split('\n').Single(l => l.StartsWith(worker + ",", StringComparison.Ordinal)).Split(',');
        return (f[1], f[2], f[6]);
    }

    private static IEnumerable<string> ClearNumbers(BankMonth month)
    {
        foreach (var line in month.RosterCsv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            var f = line.Split(',');
            yield return f[2];
            yield return f[6];
        }

        foreach (var line in month.PayoutsCsv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            var f = line.Split(',');
            yield return f[1];
            yield return f[4];
            if (f[3].Length > 0)
            {
                yield return f[3];
            }
        }
    }

    [GeneratedRegex(@"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")]
    private static partial Regex IdNumber();
}
