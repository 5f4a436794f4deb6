using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SiteHub.Protocols;
using SiteHub.Testing;

namespace SiteHub.Gateway.Tests.Security;

/// <summary>
/// Bad input on the gateway's external HTTP inputs, over real HTTP: the ZKTeco ADMS and Hikvision
/// ISAPI push endpoints (bodies, query strings, headers, multipart) and every form of the web UI.
/// Properties: never a 5xx; a refusal (4xx) leaves the outbox and quarantine as they were (but
/// 413, which keeps the body in quarantine, and 401, which lists the serial as pending: both by
/// design); every punch committed is a whole punch of a registered device; the gateway is healthy
/// after. Counts go to <c>artifacts/fuzz-gateway-push.json</c> and <c>fuzz-gateway-ui.json</c>.
/// </summary>
public sealed class GatewayBadInputFuzzTests
{
    private const int Seed = 7_2028;
    private const int Requests = 2_000;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_push_endpoints_answer_bad_input_without_a_server_error_and_commit_only_whole_punches()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token, "--DevicePush:MaxBodyBytes=65536");
        await gateway.RegisterAsync("ZK-1", "zk-adms", Token);
        await gateway.RegisterAsync("HIK-1", "hik-isapi", Token);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gateway.HttpPort}") };
        var input = new BadInput(Seed);
        var tally = new FuzzTally();

        for (var i = 0; i < Requests; i++)
        {
            var before = gateway.Outbox.Counts();
            using var request = input.Random.Next(2) == 0 ? Zk(input) : Hik(input);
            var what = $"seed {Seed} #{i}: {request.Method} {request.RequestUri}";
            using var response = await http.SendAsync(request, Token);
            var body = await response.Content.ReadAsStringAsync(Token);
            tally.Count(response.StatusCode);
            var status = (int)response.StatusCode;
            if (status >= 500)
            {
                tally.Fail($"{what} → {status} {Clip(body)}");
            }
            else if (status is >= 400 and < 500 and not 401 and not 413)
            {
                if (body.Length == 0 && response.Headers.Contains("X-Content-Type-Options"))
                {
                    tally.Fail($"{what} → {status} with no word of why");
                }

                var after = gateway.Outbox.Counts();
                if (after.Pending != before.Pending || after.Quarantined != before.Quarantined)
                {
                    tally.Fail($"{what} → {status} but the outbox changed ({before} → {after})");
                }
            }
        }

        foreach (var entry in gateway.Outbox.ReadPending(0, 100_000, new HashSet<long>()))
        {
            var punch = JsonSerializer.Deserialize(entry.Json, ProtocolsJsonContext.Default.Punch)!;
            if (punch.SiteId != "site-a" || punch.DeviceSn is not ("ZK-1" or "HIK-1") || string.IsNullOrWhiteSpace(punch.PersonId)
                || punch.PersonId.Any(char.IsControl) || punch.EventId.Length == 0 || punch.Temperature is { } t && !double.IsFinite(t))
            {
                tally.Fail($"committed an invalid punch: {Encoding.UTF8.GetString(entry.Json)}");
            }
        }

        using var health = await gateway.Api.GetAsync("/health", Token);
        Assert.NotEqual(HttpStatusCode.InternalServerError, health.StatusCode);
        tally.Save("fuzz-gateway-push", Seed);
        TestContext.Current.TestOutputHelper?.WriteLine($"{tally.Requests} requests: {tally.Statuses()}; outbox {gateway.Outbox.Counts()}");
        Assert.True(tally.Failures.Count == 0, string.Join("\n", tally.Failures));
    }

    [Fact]
    public async Task Every_form_and_page_of_the_gateway_ui_answers_bad_input_without_a_server_error()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);
        await gateway.RegisterAsync("ZK-1", "zk-adms", Token);
        using (var stranger = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{gateway.HttpPort}") })
        {
            using var _ = await stranger.GetAsync("/iclock/cdata?SN=ZK-PENDING&options=all", Token); // a pending device to approve
            using var __ = await stranger.PostAsync("/iclock/cdata?SN=ZK-1&table=ATTLOG&Stamp=1", new StringContent("bad line\n"), Token); // a quarantined line
        }

        var input = new BadInput(Seed + 1);
        var tally = new FuzzTally();
        using var browser = new FormFuzzer(new Uri($"http://127.0.0.1:{gateway.HttpPort}"), input, tally);
        await browser.LoginAsync("admin", InProcessGateway.AdminPassword, Token);

        foreach (var form in new UiForm[]
        {
            new("/", "/?handler=add", ["sn", "protocol", "gate", "direction", "timeZone", "deviceUrl", "secret"]),
            new("/", "/?handler=approve", ["sn", "protocol", "gate", "direction"]),
            new("/", "/?handler=reject", ["sn"]),
            new("/devices/ZK-1", "/devices/ZK-1?handler=edit", ["protocol", "gate", "direction", "timeZone", "deviceUrl"]),
            new("/devices/ZK-1", "/devices/ZK-1?handler=command", ["op"], Likely: new Dictionary<string, string[]> { ["op"] = ["open", "reboot", "sync-time", "upsert-person"] }),
            new("/devices/ZK-1", "/devices/ZK-1?handler=secret", ["x"]),
            new("/devices/ZK-1", "/devices/ZK-GONE?handler=remove", ["x"]),
            new("/quarantine", "/quarantine?handler=replay", ["id"]),
            new("/", "/language", ["culture", "returnUrl"]),
        })
        {
            await browser.PostAsync(form, 50, Token);
        }

        await browser.GetAsync(
        [
            ("/devices/{0}", []),
            ("/quarantine", ["limit", "x"]),
            ("/roster", ["x"]),
            ("/audit", ["x"]),
            ("/", ["x"]),
            ("/login", ["returnUrl"]),
            ("/ui/api/devices/{0}/commands", []),
        ], 400, Token);

        // Last: blank user names are the admin's, so this fuzz locks the admin out (five wrong passwords, by design).
        await browser.PostAsync(new UiForm("/login", "/login", ["user", "password", "returnUrl"]), 50, Token);

        using var health = await gateway.Api.GetAsync("/health", Token);
        Assert.NotEqual(HttpStatusCode.InternalServerError, health.StatusCode);
        tally.Save("fuzz-gateway-ui", Seed + 1);
        TestContext.Current.TestOutputHelper?.WriteLine($"{tally.Requests} requests: {tally.Statuses()}");
        Assert.True(tally.Failures.Count == 0, string.Join("\n", tally.Failures));
    }

    [Fact]
    public async Task A_device_page_without_a_serial_is_not_found_and_a_broken_jquery_key_is_ignored()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);

        using var browser = new FormFuzzer(new Uri($"http://127.0.0.1:{gateway.HttpPort}"), new BadInput(1), new FuzzTally());

        using var page = await gateway.Api.GetAsync("/devices/%09", Token);
        var login = await browser.PostFormAsync("/login", "/login", new() { ["user"] = "admin", ["password"] = InProcessGateway.AdminPassword, ["![#"] = "x" }, Token);

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, login);
    }

    private static HttpRequestMessage Zk(BadInput input)
    {
        var r = input.Random;
        var path = "/iclock/" + (r.Next(8) == 0 ? input.PathSegment() : input.Pick(["cdata", "cdata", "cdata", "getrequest", "devicecmd", "ping"]));
        var query = new List<string>();
        if (r.Next(8) > 0)
        {
            query.Add("SN=" + (r.Next(5) > 0 ? "ZK-1" : r.Next(2) == 0 ? "HIK-1" : input.QueryValue()));
        }

        if (r.Next(2) == 0)
        {
            query.Add("table=" + (r.Next(3) > 0 ? input.Pick(["ATTLOG", "OPERLOG", "USERINFO", "ATTPHOTO", "attlog", "BIODATA"]) : input.QueryValue()));
        }

        foreach (var name in new[] { "Stamp", "options", "INFO", "pushver", "language", "OpStamp" }.Where(_ => r.Next(4) == 0))
        {
            query.Add(name + "=" + input.QueryValue());
        }

        if (r.Next(10) == 0)
        {
            query.Add("SN=" + input.QueryValue()); // twice
        }

        var request = new HttpRequestMessage(r.Next(3) == 0 ? HttpMethod.Get : HttpMethod.Post, path + "?" + string.Join("&", query));
        if (request.Method == HttpMethod.Post || r.Next(10) == 0)
        {
            request.Content = new ByteArrayContent(ZkBody(input));
            Headers(input, request.Content, "text/plain");
        }

        return request;
    }

    /// <summary>ATTLOG-like lines with fuzzed fields, command results, or bytes.</summary>
    private static byte[] ZkBody(BadInput input)
    {
        var r = input.Random;
        if (r.Next(6) == 0)
        {
            return input.Bytes(r.Next(5) == 0 ? 100_000 : 3_000);
        }

        var lines = new StringBuilder();
        var count = r.Next(10) == 0 ? r.Next(100, 1000) : r.Next(0, 12);
        for (var i = 0; i < count; i++)
        {
            string[] fields = r.Next(5) == 0
                ? [$"ID={input.String()}", $"Return={input.String()}", $"CMD={input.String()}"]
                : [r.Next(2) == 0 ? r.Next(1, 99999).ToString(System.Globalization.CultureInfo.InvariantCulture) : input.String(),
                   r.Next(2) == 0 ? "2026-03-02 07:58:01" : input.String(), input.String(), input.String(), input.String()];
            var separator = fields[0].StartsWith("ID=", StringComparison.Ordinal) ? "&" : input.Pick(["\t", "\t", "\t", " ", ",", "\t\t"]);
            lines.Append(string.Join(separator, fields.Take(r.Next(fields.Length + 1) is var n && r.Next(3) > 0 ? fields.Length : n)));
            lines.Append(input.Pick(["\n", "\r\n", "\r", "\n\n", ""]));
        }

        return (r.Next(6) == 0 ? Encoding.Unicode : Encoding.UTF8).GetBytes(lines.ToString());
    }

    private static HttpRequestMessage Hik(BadInput input)
    {
        var r = input.Random;
        var sn = r.Next(5) > 0 ? "HIK-1" : r.Next(2) == 0 ? "ZK-1" : input.PathSegment();
        var request = new HttpRequestMessage(r.Next(10) == 0 ? HttpMethod.Get : HttpMethod.Post, $"/isapi/events/{sn}" + (r.Next(5) == 0 ? "?" + input.QueryValue() + "=" + input.QueryValue() : ""));
        var json = HikEvent(input);
        switch (r.Next(4))
        {
            case 0:
            {
                // Multipart as the terminals send it, with parts and boundaries gone wrong.
                var boundary = r.Next(5) == 0 ? input.String().Replace("\"", "", StringComparison.Ordinal) is { Length: > 0 and < 70 } b ? b : "b" : "MIME_boundary";
                var body = new StringBuilder();
                foreach (var _ in Enumerable.Range(0, r.Next(0, 4)))
                {
                    body.Append("--").Append(r.Next(8) == 0 ? "wrong" : boundary).Append("\r\n");
                    body.Append(input.Pick(["Content-Disposition: form-data; name=\"event_log\"\r\nContent-Type: application/json\r\n", "Content-Disposition: form-data; name=\"Picture\"; filename=\"face.jpg\"\r\nContent-Type: image/jpeg\r\n", "Content-Disposition: form-data\r\n", "", $"{input.String()}: {input.String()}\r\n"]));
                    body.Append(input.Pick(["\r\n", "", "\n"])).Append(r.Next(3) == 0 ? input.String() : json).Append("\r\n");
                }

                if (r.Next(3) > 0)
                {
                    body.Append("--").Append(boundary).Append("--\r\n");
                }

                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToString()));
                request.Content.Headers.TryAddWithoutValidation("Content-Type", Ascii(input.Pick([$"multipart/form-data; boundary={boundary}", "multipart/form-data", $"multipart/form-data; boundary=\"{boundary}\"", "multipart/mixed; boundary=" + input.String(), "multipart/form-data; boundary="])));
                break;
            }

            case 1:
                request.Content = new ByteArrayContent(input.Bytes(4_000));
                Headers(input, request.Content, "application/json");
                break;
            default:
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
                Headers(input, request.Content, "application/json");
                break;
        }

        return request;
    }

    /// <summary>An ISAPI event whose fields now and then have the wrong type, a nasty value, or are missing.</summary>
    private static string HikEvent(BadInput input)
    {
        var r = input.Random;
        string V(string valid) => r.Next(4) > 0 ? valid : input.JsonValue();
        var fields = new List<string>
        {
            $"\"deviceName\":{V("\"Door\"")}",
            $"\"majorEventType\":{V("5")}",
            $"\"subEventType\":{V(input.Pick(["75", "76", "21", "1"]))}",
            $"\"employeeNoString\":{V(JsonSerializer.Serialize(r.Next(2) == 0 ? "W1" : input.String()))}",
            $"\"cardNo\":{V("\"123\"")}",
            $"\"doorNo\":{V(input.Pick(["1", "2", "3"]))}",
            $"\"serialNo\":{V(r.Next(1, 100000).ToString(System.Globalization.CultureInfo.InvariantCulture))}",
            $"\"currentVerifyMode\":{V("\"face\"")}",
            $"\"attendanceStatus\":{V("\"checkIn\"")}",
        }.Where(_ => r.Next(8) > 0);
        return r.Next(12) == 0 ? input.JsonBody(["eventType", "dateTime"])
            : $"{{\"ipAddress\":\"10.0.0.5\",\"dateTime\":{V("\"2026-03-02T07:58:01+08:00\"")},\"eventType\":{V("\"AccessControllerEvent\"")},\"AccessControllerEvent\":{{{string.Join(",", fields)}}}}}";
    }

    private static void Headers(BadInput input, HttpContent content, string usual)
    {
        var r = input.Random;
        // HttpClient sends only ASCII header values: the random one is kept to its printable ASCII.
        content.Headers.TryAddWithoutValidation("Content-Type", r.Next(4) > 0 ? usual : input.Pick(["", "text/html", "application/json; charset=gbk", "application/octet-stream", Ascii(input.String())]));
        if (r.Next(20) == 0)
        {
            content.Headers.TryAddWithoutValidation("Content-Encoding", input.Pick(["gzip", "br", "deflate", "x"]));
        }
    }

    private static string Ascii(string text) => new([.. text.Where(c => c is >= ' ' and <= '~')]);

    private static string Clip(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
