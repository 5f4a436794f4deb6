using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SiteHub.Testing;

namespace SiteHub.Hub.Tests.Security;

/// <summary>
/// Bad input on every endpoint of the hub's REST API and its CSV imports, over real HTTP: a seeded
/// random generator plus a curated list of nasty values. Properties: never a 5xx; every 400 of
/// the API says what is wrong (a problem body naming the field, or its detail); a refused request
/// changes nothing (projects, workers, alerts, imports read back the same); what is accepted is valid.
/// Reproduce with the seed in the failure message. Counts go to <c>artifacts/fuzz-hub-api.json</c>.
/// </summary>
public sealed class HubBadInputFuzzTests
{
    private const int Seed = 7_2026;
    private const int Requests = 2_500;
    private const string ValidId = "11010519491231002X";

    private static readonly string[] ProjectFields = ["name", "site_ids", "contractor", "wage_account", "pay_day", "timezone", "tolerance", "no_attendance_days", "excessive_pay_cap"];
    private static readonly string[] WorkerFields = ["project_id", "name", "id_number", "employer", "team", "bank_account", "wage_type", "wage_rate", "start_date", "end_date"];
    private static readonly string[] AlertQuery = ["status", "type", "project", "worker", "month"];
    private static readonly string[] PunchQuery = ["site", "person", "from", "to", "limit"];

    private static readonly Dictionary<string, string> Headers = new(StringComparer.Ordinal)
    {
        ["projects"] = "project_id,name,site_id,contractor,wage_account,pay_day,timezone,tolerance",
        ["roster"] = "worker_id,name,id_number,project_id,employer,team,bank_account,wage_type,wage_rate,start_date,end_date",
        ["payouts"] = "txn_id,payer_account,payee_name,payee_id_number,payee_account,amount,wage_month,paid_at,status",
    };

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_api_endpoint_answers_bad_input_with_a_clear_4xx_and_changes_nothing()
    {
        var logs = new CapturedLogs();
        await using var hub = await InProcessHub.StartAsync(logs.Install, [], Token);
        await SeedAsync(hub.Api);
        var input = new BadInput(Seed);
        var tally = new FuzzTally();
        var state = await SnapshotAsync(hub.Api);

        for (var i = 0; i < Requests; i++)
        {
            var request = Next(input);
            using var message = request.ToMessage();
            using var response = await hub.Api.SendAsync(message, Token);
            var body = await response.Content.ReadAsStringAsync(Token);
            tally.Count(response.StatusCode);
            var what = $"seed {Seed} #{i}: {request}";
            if ((int)response.StatusCode >= 500)
            {
                tally.Fail($"{what} → {(int)response.StatusCode} {Clip(body)}");
                continue;
            }

            // Kestrel refuses some requests before the app sees them (a NUL in the path, a URL too
            // long) with a bare 400/414: counted, not held to the app's rules.
            if (!response.Headers.Contains("X-Content-Type-Options"))
            {
                tally.RefusedBeforeApp++;
                continue;
            }

            if (response.StatusCode == HttpStatusCode.BadRequest && !SaysWhatIsWrong(body))
            {
                tally.Fail($"{what} → 400 without a problem naming the field: '{Clip(body)}'");
            }

            if (!request.Mutating)
            {
                continue;
            }

            var after = await SnapshotAsync(hub.Api);
            if ((int)response.StatusCode is >= 400 and < 500 && after != state)
            {
                tally.Fail($"{what} → {(int)response.StatusCode} but the state changed");
            }

            foreach (var problem in await InvalidStoredAsync(hub.Api))
            {
                tally.Fail($"{what} → {(int)response.StatusCode} and now {problem}");
            }

            state = after;
        }

        using var health = await hub.Api.GetAsync("/health", Token);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        foreach (var line in logs.Lines.Where(l => l.Contains("Exception", StringComparison.Ordinal) || l.StartsWith("Error", StringComparison.Ordinal)))
        {
            tally.Fail("the hub logged: " + Clip(line));
        }

        tally.Save("fuzz-hub-api", Seed);
        TestContext.Current.TestOutputHelper?.WriteLine($"{tally.Requests} requests ({tally.RefusedBeforeApp} refused by Kestrel before the app): {tally.Statuses()}");
        Assert.True(tally.Failures.Count == 0, string.Join("\n", tally.Failures));
    }

    [Fact]
    public async Task A_limit_that_is_not_a_number_is_refused_naming_limit()
    {
        await using var hub = await InProcessHub.StartAsync(Token);

        using var response = await hub.Api.GetAsync("/api/punches?limit=0x7fffffff", Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Token);
        Assert.True(problem.GetProperty("errors").TryGetProperty("limit", out _), problem.ToString());
    }

    [Theory]
    [InlineData("/api/workers/W1/months/9999-12")]
    [InlineData("/api/projects/P1/reconciliation/9999-12")]
    public async Task A_wage_month_whose_due_date_is_past_the_calendar_is_refused_naming_month(string path)
    {
        await using var hub = await InProcessHub.StartAsync(Token);
        await SeedAsync(hub.Api);

        using var response = await hub.Api.GetAsync(path, Token);
        using var page = await hub.Api.GetAsync("/workers/W1?month=9999-12&handler=Csv&table=alerts", Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("errors").TryGetProperty("month", out _));
        Assert.True((int)page.StatusCode < 500, $"the worker page's CSV for 9999-12: {(int)page.StatusCode}");
    }

    [Fact]
    public async Task A_site_id_that_cannot_be_a_topic_level_is_refused_by_the_projects_import()
    {
        await using var hub = await InProcessHub.StartAsync(Token);
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Headers["projects"] + "\nP1,一号楼,site+a,中建,6222000000000001,15,Asia/Shanghai,0.01\n"));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");

        using var response = await hub.Api.PostAsync("/api/imports/projects", content, Token);

        var result = await response.Content.ReadFromJsonAsync<JsonElement>(Token);
        Assert.Equal(0, result.GetProperty("imported").GetInt32());
        Assert.Equal("site_id", Assert.Single(result.GetProperty("errors").EnumerateArray()).GetProperty("column").GetString());
        Assert.Equal(0, (await hub.Api.GetFromJsonAsync<JsonElement>("/api/projects", Token)).GetArrayLength());
    }

    /// <summary>A project, a worker, a payout that raises an alert: something for the fuzz to break.</summary>
    internal static async Task SeedAsync(HttpClient api)
    {
        foreach (var (kind, csv) in new[]
        {
            ("projects", "P1,一号楼,site-a,中建,6222000000000001,15,Asia/Shanghai,0.01\n"),
            ("roster", $"W1,张三,{ValidId},P1,中建,T1,6222000000000002,day,300,2024-01-01,\n"),
            ("payouts", $"T1,6222000000000001,张三,{ValidId},6222000000000002,100.00,2024-03,2024-04-10,SUCCESS\n"),
        })
        {
            using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Headers[kind] + "\n" + csv));
            content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            using var response = await api.PostAsync($"/api/imports/{kind}", content, Token);
            var result = await response.Content.ReadFromJsonAsync<JsonElement>(Token);
            Assert.True(result.GetProperty("imported").GetInt32() == 1, $"{kind}: {result}");
        }

        var alerts = await api.GetFromJsonAsync<JsonElement>("/api/alerts", Token);
        Assert.True(alerts.GetArrayLength() > 0, "the seeded payout raises an alert");
    }

    private static FuzzRequest Next(BadInput input)
    {
        var r = input.Random;
        string Seg() => r.Next(4) == 0 ? input.Pick(["P1", "W1", "1", "2", "中建", "site-a", "2024-03"]) : input.PathSegment();
        string Month() => r.Next(3) == 0 ? input.Pick(["2024-03", "2024-3", "2024-13", "0000-00", "9999-12", "2024-03-01"]) : input.PathSegment();
        string Query(IReadOnlyList<string> names) => string.Join("&", names.Where(_ => r.Next(2) == 0).Select(n => n + "=" + input.QueryValue())
            .Concat(r.Next(5) == 0 ? [input.QueryValue() + "=" + input.QueryValue()] : []));

        return r.Next(16) switch
        {
            0 => new("GET", "/api/alerts?" + Query(AlertQuery)),
            1 => new("GET", $"/api/alerts/{Seg()}"),
            2 => new("POST", $"/api/alerts/{(r.Next(2) == 0 ? "1" : Seg())}/{input.Pick(["acknowledge", "resolve"])}", input.JsonBody(["comment"]), JsonType(input), Mutating: true),
            3 => new("GET", $"/api/workers/{Seg()}/months/{Month()}"),
            4 => new("GET", $"/api/projects/{Seg()}/reconciliation/{Month()}"),
            5 => new("GET", "/api/punches?" + Query(PunchQuery)),
            6 => new("GET", input.Pick(["/api/sites/{0}/headcount", "/api/contractors/{0}/credit", "/api/projects/{0}", "/api/workers/{0}"]).Replace("{0}", Seg(), StringComparison.Ordinal)),
            7 or 8 => new("PUT", $"/api/projects/{(r.Next(2) == 0 ? "P1" : Seg())}", input.JsonBody(ProjectFields), JsonType(input), Mutating: true),
            9 or 10 => new("PUT", $"/api/workers/{(r.Next(2) == 0 ? "W1" : Seg())}", input.JsonBody(WorkerFields), JsonType(input), Mutating: true),
            11 or 12 or 13 => Import(input),
            14 => new("GET", "/api/imports?" + Query(["limit"])),
            _ => new("GET", input.Pick(["/api/reconciliation/state", "/api/sites", "/api/gateways", "/api/influx", "/api/projects", "/api/contractors", "/ui/api/sites"]) + "?" + Query(["x", "limit"])),
        };
    }

    private static string? JsonType(BadInput input) => input.Random.Next(8) switch
    {
        0 => null,
        1 => "text/plain",
        2 => "application/x-www-form-urlencoded",
        3 => "application/json; charset=gbk",
        _ => "application/json",
    };

    private static FuzzRequest Import(BadInput input)
    {
        var r = input.Random;
        var kind = r.Next(10) == 0 ? input.PathSegment() : input.Pick(["projects", "roster", "payouts"]);
        var query = string.Join("&", new[] { r.Next(4) == 0 ? "encoding=" + input.Pick(["utf-8", "gbk", "gb18030", "auto", "latin1", "", "utf-32", input.QueryValue()]) : null, r.Next(4) == 0 ? "file=" + input.QueryValue() : null }.Where(q => q is not null));
        var bytes = Headers.TryGetValue(kind, out var header) ? Csv(input, header) : input.Bytes(200);
        return new("POST", $"/api/imports/{kind}?{query}", null, input.Pick(["text/csv", "text/csv", "application/octet-stream", "multipart/form-data"]), Mutating: true, Bytes: bytes);
    }

    /// <summary>A CSV file gone wrong: random bytes, BOMs, mixed line ends, wrong column counts, stray quotes, nasty values.</summary>
    private static byte[] Csv(BadInput input, string header)
    {
        var r = input.Random;
        if (r.Next(8) == 0)
        {
            return input.Bytes(2_000);
        }

        var columns = header.Split(',').Length;
        var text = new StringBuilder();
        text.Append(input.Pick(["", "", "\uFEFF", "\uFEFF\uFEFF"]));
        text.Append(r.Next(6) == 0 ? string.Join(",", header.Split(',').Reverse()) : r.Next(10) == 0 ? header.ToUpperInvariant() : header);
        var rows = r.Next(10) == 0 ? r.Next(100, 600) : r.Next(0, 8);
        for (var i = 0; i < rows; i++)
        {
            text.Append(input.Pick(["\n", "\r\n", "\r", "\n\n", "\r\r\n"]));
            var count = r.Next(4) == 0 ? r.Next(0, columns * 2) : columns;
            text.Append(string.Join(",", Enumerable.Range(0, count).Select(c => Field(input, header.Split(',')[c % columns]))));
        }

        if (r.Next(3) == 0)
        {
            text.Append('\n');
        }

        var encoding = r.Next(10) switch { 0 => Encoding.Unicode, 1 => Encoding.Latin1, _ => Encoding.UTF8 };
        var bytes = encoding.GetBytes(text.ToString());
        if (r.Next(10) == 0 && bytes.Length > 0)
        {
            bytes[r.Next(bytes.Length)] = (byte)r.Next(256);
        }

        return bytes;
    }

    private static string Field(BadInput input, string column)
    {
        var r = input.Random;
        var valid = column switch
        {
            "project_id" => "P1",
            "worker_id" => "W" + r.Next(1, 50),
            "id_number" or "payee_id_number" => ValidId,
            "wage_account" or "payer_account" => "6222000000000001",
            "bank_account" or "payee_account" => "62220000000000" + r.Next(10, 99),
            "site_id" => "site-a",
            "pay_day" => "15",
            "timezone" => "Asia/Shanghai",
            "tolerance" => "0.01",
            "wage_type" => "day",
            "wage_rate" or "amount" => "300.00",
            "start_date" => "2024-01-01",
            "wage_month" => "2024-03",
            "paid_at" => "2024-04-10",
            "status" => "SUCCESS",
            "txn_id" => "T" + r.Next(1, 1000),
            _ => "x",
        };
        var value = r.Next(3) == 0 ? valid : input.String();
        return r.Next(6) switch
        {
            0 => "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"",
            1 => "\"" + value, // a quote never closed
            _ => value,
        };
    }

    /// <summary>What a user reads back of the state a request could change.</summary>
    private static async Task<string> SnapshotAsync(HttpClient api)
    {
        var text = new StringBuilder();
        foreach (var path in new[] { "/api/projects", "/api/contractors", "/api/workers/W1", "/api/alerts", "/api/imports?limit=10000" })
        {
            text.Append(path).Append(' ').Append(await api.GetStringAsync(path, Token)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Stored values outside what the API itself accepts.</summary>
    internal static async Task<List<string>> InvalidStoredAsync(HttpClient api)
    {
        var problems = new List<string>();
        foreach (var p in (await api.GetFromJsonAsync<JsonElement>("/api/projects", Token)).EnumerateArray())
        {
            var id = p.GetProperty("project_id").GetString()!;
            if (p.GetProperty("pay_day").GetInt32() is < 1 or > 28)
            {
                problems.Add($"project {id} has pay_day {p.GetProperty("pay_day")}");
            }

            if (p.GetProperty("tolerance").GetDecimal() is < 0m or >= 1m)
            {
                problems.Add($"project {id} has tolerance {p.GetProperty("tolerance")}");
            }

            if (string.IsNullOrWhiteSpace(p.GetProperty("name").GetString()) || p.GetProperty("site_ids").GetArrayLength() == 0)
            {
                problems.Add($"project {id} has no name or no site");
            }

            if (p.GetProperty("site_ids").EnumerateArray().FirstOrDefault(s => !SiteHub.Protocols.Punches.TopicSafeId.IsValid(s.GetString())) is { ValueKind: JsonValueKind.String } site)
            {
                problems.Add($"project {id} has site id '{site}', which cannot be an MQTT topic level");
            }
        }

        return problems;
    }

    private static bool SaysWhatIsWrong(string body)
    {
        try
        {
            using var problem = JsonDocument.Parse(body);
            var root = problem.RootElement;
            return (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object && errors.EnumerateObject().Any())
                || (root.TryGetProperty("detail", out var detail) && detail.GetString() is { Length: > 0 });
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Clip(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private sealed record FuzzRequest(string Method, string Path, string? Body = null, string? ContentType = null, bool Mutating = false, byte[]? Bytes = null)
    {
        public HttpRequestMessage ToMessage()
        {
            var message = new HttpRequestMessage(new HttpMethod(Method), Path);
            if (Bytes is not null || Body is not null)
            {
                var content = new ByteArrayContent(Bytes ?? Encoding.UTF8.GetBytes(Body!));
                if (ContentType is not null)
                {
                    content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
                }

                message.Content = content;
            }

            return message;
        }

        public override string ToString() =>
            $"{Method} {Clip(Path)}" + (Body is not null ? $" [{ContentType}] {Clip(Body)}" : Bytes is not null ? $" [{ContentType}] {Bytes.Length} bytes: {Clip(Encoding.UTF8.GetString(Bytes))}" : "");
    }
}
