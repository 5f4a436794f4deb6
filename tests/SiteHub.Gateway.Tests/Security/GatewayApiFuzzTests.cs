using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SiteHub.Gateway.Devices;
using SiteHub.Testing;

namespace SiteHub.Gateway.Tests.Security;

/// <summary>
/// Bad input on every endpoint of the gateway's own REST API (<c>/api</c>, HTTP Basic), over real
/// HTTP: JSON bodies (wrong types, huge numbers, missing / unknown / duplicate fields, truncated, not
/// JSON, wrong content types), bad serials and command ids in routes, bad query strings, wrong
/// methods, and requests without or with wrong credentials. Properties: never a 5xx; every 400 says
/// what is wrong (a problem naming the field, or its detail); a refused request changes nothing
/// (devices, pending, roster, commands, outbox read back the same); what is accepted is valid; no
/// request without the admin's credentials gets past 401; no exception logged; healthy after.
/// Counts go to <c>artifacts/fuzz-gateway-api.json</c>.
/// </summary>
public sealed class GatewayApiFuzzTests
{
    private const int Seed = 7_2030;
    private const int Requests = 1_500;

    private static readonly string[] DeviceFields = ["sn", "secret", "protocol", "gate", "direction", "timeZone", "deviceUrl"];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_api_endpoint_answers_bad_input_with_a_clear_4xx_changes_nothing_and_wants_the_admin()
    {
        var logs = new CapturedLogs();
        await using var gateway = await InProcessGateway.StartAsync(logs.Install, Token);
        await gateway.RegisterAsync("ZK-1", "zk-adms", Token);
        await gateway.RegisterAsync("HIK-1", "hik-isapi", Token);
        using (var device = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gateway.HttpPort}") })
        {
            using var _ = await device.GetAsync("/iclock/cdata?SN=ZK-PENDING&options=all", Token); // a pending device
            using var __ = await device.PostAsync("/iclock/cdata?SN=ZK-1&table=ATTLOG&Stamp=1", new StringContent("bad line\n"), Token); // a quarantined line
        }

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gateway.HttpPort}") };
        var admin = gateway.Api.DefaultRequestHeaders.Authorization!;
        var input = new BadInput(Seed);
        var tally = new FuzzTally();
        var state = await SnapshotAsync(gateway.Api);
        var serverErrors = new List<string>(); // all of them, first in the report (the tally keeps the first 50 failures of any kind)

        for (var i = 0; i < Requests; i++)
        {
            var request = Next(input);
            var credentials = input.Random.Next(10) == 0 ? Stranger(input) : admin;
            using var message = request.ToMessage(credentials);
            using var response = await http.SendAsync(message, Token);
            var body = await response.Content.ReadAsStringAsync(Token);
            tally.Count(response.StatusCode);
            var status = (int)response.StatusCode;
            var what = $"seed {Seed} #{i}: {request} as {(credentials is null ? "nobody" : credentials == admin ? "admin" : Clip(credentials.ToString()))}";
            if (status >= 500)
            {
                tally.Fail($"{what} → {status} {Clip(body)}");
                serverErrors.Add($"{what} → {status}");
                continue;
            }

            // Kestrel refuses some requests before the app sees them (a NUL in the path, a URL too
            // long) with a bare 400/414: counted, not held to the app's rules.
            if (!response.Headers.Contains("X-Content-Type-Options"))
            {
                tally.RefusedBeforeApp++;
                continue;
            }

            if (credentials != admin && status != 401)
            {
                tally.Fail($"{what} → {status} without the admin's credentials");
            }

            if (status == 400 && !SaysWhatIsWrong(body))
            {
                tally.Fail($"{what} → 400 without a problem naming the field: '{Clip(body)}'");
            }

            if (!request.Mutating)
            {
                continue;
            }

            var after = await SnapshotAsync(gateway.Api);
            if (status is >= 400 and < 500 && after != state)
            {
                tally.Fail($"{what} → {status} but the state changed");
            }

            foreach (var problem in InvalidStored(after))
            {
                tally.Fail($"{what} → {status} and now {problem}");
            }

            state = after;
        }

        using var health = await gateway.Api.GetAsync("/health", Token);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        foreach (var line in logs.Lines.Where(l => l.Contains("Exception", StringComparison.Ordinal) || l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Critical", StringComparison.Ordinal)))
        {
            tally.Fail("the gateway logged: " + Clip(line));
        }

        tally.Save("fuzz-gateway-api", Seed);
        TestContext.Current.TestOutputHelper?.WriteLine($"{tally.Requests} requests ({tally.RefusedBeforeApp} refused by Kestrel before the app): {tally.Statuses()}");
        Assert.True(tally.Failures.Count == 0, string.Join("\n", serverErrors.Concat(tally.Failures)));
    }

    private static FuzzRequest Next(BadInput input)
    {
        var r = input.Random;
        string Sn() => r.Next(3) > 0 ? input.Pick(["ZK-1", "HIK-1", "ZK-PENDING", "NOPE"]) : input.PathSegment();
        string Query(params string[] names) => string.Join("&", names.Where(_ => r.Next(2) == 0).Select(n => (r.Next(10) == 0 ? input.QueryValue() : n) + "=" + input.QueryValue()));
        return r.Next(20) switch
        {
            0 => new("GET", "/api/devices?" + Query("x")),
            1 => new("GET", "/api/devices/pending?" + Query("x")),
            2 => new("GET", $"/api/devices/{Sn()}"),
            3 => new("GET", $"/api/devices/{Sn()}/commands?" + Query("x")),
            4 => new("GET", $"/api/devices/{Sn()}/commands/{(r.Next(2) == 0 ? input.Pick(["1", "0", "-1", "9223372036854775807", "9223372036854775808", "1.5", "0x1"]) : input.PathSegment())}"),
            5 => new("GET", $"/api/devices/{Sn()}/enrolled"),
            6 => new("GET", "/api/devices/clock-skew?" + Query("x")),
            7 => new("GET", "/api/device-events?" + Query("sn", "type", "limit")),
            8 => new("GET", "/api/quarantine?" + Query("limit")),
            9 => new("GET", input.Pick(["/api/outbox", "/api/uplink", "/api/roster"]) + "?" + Query("x")),
            10 => new(input.Pick(["PUT", "DELETE", "PATCH", "POST"]), input.Pick(["/api/devices/ZK-1", "/api/outbox", "/api/quarantine", "/api/uplink", "/api/devices/pending", "/api/devices/" + input.PathSegment()]), input.JsonBody(DeviceFields), JsonType(input), Mutating: true),
            11 or 12 or 13 => new("POST", "/api/devices", DeviceBody(input), JsonType(input), Mutating: true),
            14 or 15 or 16 => new("POST", $"/api/devices/{Sn()}/commands", CommandBody(input), JsonType(input), Mutating: true),
            _ => new("PUT", "/api/roster", RosterBody(input), JsonType(input), Mutating: true),
        };
    }

    /// <summary>A registration: fuzzed all over, or a valid one with one field gone wrong.</summary>
    private static string DeviceBody(BadInput input)
    {
        var r = input.Random;
        if (r.Next(3) == 0)
        {
            return input.JsonBody(DeviceFields);
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["sn"] = JsonSerializer.Serialize("FZ-" + r.Next(1000)),
            ["secret"] = "\"secret-fuzz\"",
            ["protocol"] = JsonSerializer.Serialize(input.Pick([.. DevicesFeature.KnownProtocols])),
            ["gate"] = "\"gate-1\"",
            ["direction"] = JsonSerializer.Serialize(input.Pick(["in", "out", "unknown"])),
            ["timeZone"] = "\"+08:00\"",
            ["deviceUrl"] = "\"http://10.0.0.9\"",
        };
        var broken = input.Pick(DeviceFields);
        fields[broken] = r.Next(2) == 0 ? input.JsonValue() : JsonSerializer.Serialize(input.String());
        return "{" + string.Join(",", fields.Where(_ => r.Next(8) > 0).Select(f => $"\"{f.Key}\":{f.Value}")) + "}";
    }

    private static string CommandBody(BadInput input)
    {
        var r = input.Random;
        if (r.Next(4) == 0)
        {
            return input.JsonBody(["op", "args"]);
        }

        var op = r.Next(3) > 0 ? JsonSerializer.Serialize(input.Pick(["open", "reboot", "sync-time", "upsert-person", "delete-person"])) : input.JsonValue();
        var args = r.Next(4) == 0 ? input.JsonValue() : "{" + string.Join(",", new[] { "person", "name", "door", "card", "face" }.Where(_ => r.Next(2) == 0)
            .Select(a => $"\"{a}\":{(r.Next(3) == 0 ? input.JsonValue() : JsonSerializer.Serialize(r.Next(2) == 0 ? "W1" : input.String()))}")) + "}";
        return $"{{\"op\":{op},\"args\":{args}}}";
    }

    private static string RosterBody(BadInput input)
    {
        var r = input.Random;
        if (r.Next(4) == 0)
        {
            return input.JsonBody(["workers"]);
        }

        var workers = Enumerable.Range(0, r.Next(10) == 0 ? r.Next(100, 600) : r.Next(0, 5)).Select(w => r.Next(4) == 0 ? input.JsonValue()
            : "{" + string.Join(",", new[]
            {
                $"\"id\":{(r.Next(3) > 0 ? JsonSerializer.Serialize("W" + w) : r.Next(2) == 0 ? input.JsonValue() : JsonSerializer.Serialize(input.String()))}",
                $"\"name\":{(r.Next(3) > 0 ? "\"张三\"" : r.Next(2) == 0 ? input.JsonValue() : JsonSerializer.Serialize(input.String()))}",
            }.Where(_ => r.Next(8) > 0)) + "}");
        return $"{{\"workers\":[{string.Join(",", workers)}]}}";
    }

    private static string? JsonType(BadInput input) =>
        input.Random.Next(6) > 0 ? "application/json" : input.Pick<string?>([null, "text/plain", "application/json; charset=utf-16", "application/x-www-form-urlencoded", "application/json; charset=gbk", ""]);

    /// <summary>No credentials, wrong ones, or an Authorization header that is not Basic at all.</summary>
    private static AuthenticationHeaderValue? Stranger(BadInput input) => input.Random.Next(5) switch
    {
        0 => null,
        1 => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + Ascii(input.String())))),
        2 => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Ascii(input.String()) + ":" + InProcessGateway.AdminPassword))),
        3 => new("Basic", Ascii(input.String()) is { Length: > 0 } junk ? junk.Replace(" ", "", StringComparison.Ordinal) is { Length: > 0 } j ? j : "x" : "x"),
        _ => new(input.Pick(["Bearer", "Digest", "NTLM", "Negotiate"]), Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + InProcessGateway.AdminPassword))),
    };

    /// <summary>What the API shows of the gateway's state.</summary>
    private static async Task<string> SnapshotAsync(HttpClient api)
    {
        var text = new StringBuilder();
        foreach (var path in new[] { "/api/devices", "/api/devices/pending", "/api/roster", "/api/quarantine?limit=1000" })
        {
            text.Append(path).Append(' ').Append(await api.GetStringAsync(path, Token)).Append('\n');
        }

        // Commands: the ids of those the API queued (the dispatcher updates their status, and the
        // enrolment reconciler queues its own after a roster change, in the background).
        foreach (var sn in new[] { "ZK-1", "HIK-1" })
        {
            using var commands = JsonDocument.Parse(await api.GetStringAsync($"/api/devices/{sn}/commands", Token));
            text.Append(sn).Append(" commands ").AppendJoin(',', commands.RootElement.EnumerateArray()
                .Where(c => c.GetProperty("origin").GetString() == "api").Select(c => c.GetProperty("id").GetInt64())).Append('\n');
        }

        using var outbox = JsonDocument.Parse(await api.GetStringAsync("/api/outbox", Token));
        return text.Append("outbox ").Append(outbox.RootElement.GetProperty("pending")).Append(' ').Append(outbox.RootElement.GetProperty("quarantined")).ToString();
    }

    /// <summary>Stored devices and roster entries that break the API's own rules.</summary>
    private static IEnumerable<string> InvalidStored(string snapshot)
    {
        var lines = snapshot.Split('\n').ToDictionary(l => l[..l.IndexOf(' ', StringComparison.Ordinal)], l => l[(l.IndexOf(' ', StringComparison.Ordinal) + 1)..], StringComparer.Ordinal);
        using var devices = JsonDocument.Parse(lines["/api/devices"]);
        foreach (var device in devices.RootElement.EnumerateArray())
        {
            string? Text(string name) => device.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            var sn = Text("sn");
            if (sn is null || sn.Length is 0 or > 64 || !sn.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
                || !DevicesFeature.KnownProtocols.Contains(Text("protocol") ?? "")
                || Text("gate") is { Length: > 64 }
                || Text("direction") is not ("in" or "out" or "unknown"))
            {
                yield return "a stored device that is not valid: " + Clip(device.ToString());
            }
        }

        using var roster = JsonDocument.Parse(lines["/api/roster"]);
        foreach (var worker in (roster.RootElement.ValueKind == JsonValueKind.Array ? roster.RootElement : roster.RootElement.GetProperty("workers")).EnumerateArray())
        {
            var id = worker.TryGetProperty("id", out var i) ? i.GetString() : null;
            if (string.IsNullOrEmpty(id) || id.Length > 64 || id.Any(c => c is '\t' or '\r' or '\n' or ' ' or '=') || !worker.TryGetProperty("name", out var name) || string.IsNullOrWhiteSpace(name.GetString()))
            {
                yield return "a roster worker that is not valid: " + Clip(worker.ToString());
            }
        }
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

    private static string Ascii(string text) => new([.. text.Where(c => c is >= ' ' and <= '~')]);

    private static string Clip(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private sealed record FuzzRequest(string Method, string Path, string? Body = null, string? ContentType = null, bool Mutating = false)
    {
        public HttpRequestMessage ToMessage(AuthenticationHeaderValue? credentials)
        {
            var message = new HttpRequestMessage(new HttpMethod(Method), Path);
            message.Headers.Authorization = credentials;
            if (Body is not null)
            {
                message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Body));
                if (ContentType is not null)
                {
                    message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
                }
            }

            return message;
        }

        public override string ToString() => $"{Method} {Clip(Path)}" + (Body is not null ? $" [{ContentType}] {Clip(Body)}" : "");
    }
}
