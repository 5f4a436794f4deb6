using System.Net;
using System.Text;
using System.Text.Json;

namespace SiteHub.Testing;

/// <summary>
/// Bad input for the fuzz batteries: a curated list of nasty values plus a seeded random
/// generator, so a failing case is reproduced by its seed and index.
/// </summary>
public sealed class BadInput(int seed)
{
    /// <summary>Values that have broken parsers, routers, databases and pages before.</summary>
    public static readonly IReadOnlyList<string> Nasty =
    [
        "", " ", "\t", "null", "undefined", "true", "0", "-1", "-0", "1.5", "1e309", "-1e309", "NaN", "Infinity",
        "99999999999999999999999999999", "-99999999999999999999999999999", "2147483648", "-2147483649", "9223372036854775808", "0x7fffffff", "１２３",
        "2024-13", "2024-00", "0000-01", "9999-12", "24-03", "2024-3", "2024-02-30", "2024-13-01", "0001-01-01", "9999-12-31T23:59:59-14:00",
        "2024-03-01T25:00:00+08:00", "2024-03-01T08:00:00+99:00", "1970-01-01T00:00:00Z", "yesterday", "2024/03/01", "-2024-03",
        "'; DROP TABLE alerts;--", "\" OR 1=1 --", "' OR '1'='1", "$where", "{\"$gt\":\"\"}", "$.Id", "*", "%", "_", "..", "../../etc/passwd",
        "..\\..\\windows\\win.ini", "/", "\\", "?", "#", "&", "=", "a=b&c=d", "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>",
        "javascript:alert(1)", "{{7*7}}", "${7*7}", "@(1+1)", "\r\nX-Injected: 1", "\u0000", "a\u0000b", "\u001b[31m", "\u202Egnp.exe", "\uFEFF",
        "\uFFFD", "\uFFFF", "💩", "👨‍👩‍👧‍👦", "中文名字", "Ω≈ç√", "İıŞş", "ß", "\u0301", "TOPIC_VIOLATION", "UNPAID", "open", "active",
        "11010519491231002X", "110105194912310021", "6222000000000001", "sitehub/v1/sites/#", "devices/+/cmd",
        new string('a', 300), new string('9', 40), new string('x', 5_000), new string('中', 2_000),
    ];

    private static readonly string[] Alphabets =
    [
        "abcdefghijklmnopqrstuvwxyz0123456789",
        "0123456789-:T+Z.",
        "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ \t",
        "中文名字工资一号楼",
        "\u0000\u0001\u001f\u007f\u0085\u2028\u2029\uFEFF\uFFFD",
    ];

    /// <summary>The generator; every draw comes from it.</summary>
    public Random Random { get; } = new(seed);

    public int Seed { get; } = seed;

    /// <summary>One of <paramref name="items"/>.</summary>
    public T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];

    /// <summary>A nasty value half the time, else a random string (length mostly short, sometimes long).</summary>
    public string String()
    {
        if (Random.Next(2) == 0)
        {
            return Pick(Nasty);
        }

        var alphabet = Pick(Alphabets);
        var length = Random.Next(10) switch { 0 => 0, < 8 => Random.Next(1, 20), 8 => Random.Next(20, 300), _ => Random.Next(300, 3000) };
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            text.Append(alphabet[Random.Next(alphabet.Length)]);
        }

        return text.ToString();
    }

    /// <summary>A JSON value of any type: the wrong type for most fields.</summary>
    public string JsonValue(int depth = 0) => Random.Next(depth > 2 ? 6 : 9) switch
    {
        0 => "null",
        1 => Random.Next(2) == 0 ? "true" : "false",
        2 => Pick(["0", "-1", "1.5", "1e400", "-1e400", "99999999999999999999999999999999", "2147483648", "0.001", "28", "1", "15"]),
        3 => JsonSerializer.Serialize(String()),
        4 => Random.NextDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        5 => JsonSerializer.Serialize(Pick(Nasty)),
        6 => "[" + string.Join(",", Enumerable.Range(0, Random.Next(4)).Select(_ => JsonValue(depth + 1))) + "]",
        7 => "{" + string.Join(",", Enumerable.Range(0, Random.Next(4)).Select(_ => JsonSerializer.Serialize(String()) + ":" + JsonValue(depth + 1))) + "}",
        _ => JsonSerializer.Serialize(new string('a', Random.Next(1, 100_000))),
    };

    /// <summary>
    /// A JSON body for a request whose fields are <paramref name="fields"/>: known fields with values
    /// of any type, missing fields, unknown fields, or not JSON at all.
    /// </summary>
    public string JsonBody(IReadOnlyList<string> fields)
    {
        switch (Random.Next(12))
        {
            case 0: return String();
            case 1: return JsonValue();
            case 2: return "{" + JsonSerializer.Serialize(Pick(fields)) + ":"; // truncated
            case 3: return "{}";
            default:
                var members = new List<string>();
                foreach (var field in fields)
                {
                    if (Random.Next(3) > 0)
                    {
                        members.Add(JsonSerializer.Serialize(Random.Next(10) == 0 ? field.ToUpperInvariant() : field) + ":" + JsonValue());
                    }
                }

                if (Random.Next(3) == 0)
                {
                    members.Add(JsonSerializer.Serialize(String()) + ":" + JsonValue());
                }

                if (Random.Next(20) == 0 && members.Count > 0)
                {
                    members.Add(members[0]); // a duplicate key
                }

                return "{" + string.Join(",", members) + "}";
        }
    }

    /// <summary>A value for a query string, percent-encoded, or now and then raw (bad escapes).</summary>
    public string QueryValue() => Random.Next(12) switch
    {
        0 => Pick(["%", "%zz", "%ED%A0%80", "%C0%AF", "%00", "%FF%FE", "+", "%2", "&&&", "=="]),
        _ => WebUtility.UrlEncode(String()) ?? "",
    };

    /// <summary>A path segment, percent-encoded (it may decode to anything, '/' included).</summary>
    public string PathSegment() => Random.Next(15) == 0 ? Pick(["%2F", "%00", "..", "%2e%2e", "%", "%ZZ"]) : Uri.EscapeDataString(String() is { Length: > 0 } s ? s : "x");

    /// <summary>Random bytes.</summary>
    public byte[] Bytes(int max)
    {
        var bytes = new byte[Random.Next(max + 1)];
        Random.NextBytes(bytes);
        return bytes;
    }
}

/// <summary>What a fuzz run sent and got back; the failures to report.</summary>
public sealed class FuzzTally
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<int, int> _byStatus = [];
    private readonly List<string> _failures = [];

    public int Requests { get; private set; }

    /// <summary>Requests the server (Kestrel) refused before the app saw them: a NUL in the path, a URL too long.</summary>
    public int RefusedBeforeApp { get; set; }

    public IReadOnlyList<string> Failures
    {
        get
        {
            lock (_gate)
            {
                return [.. _failures];
            }
        }
    }

    public void Count(HttpStatusCode status)
    {
        lock (_gate)
        {
            Requests++;
            _byStatus[(int)status] = _byStatus.GetValueOrDefault((int)status) + 1;
        }
    }

    /// <summary>Records a broken property (keeps the first 50).</summary>
    public void Fail(string what)
    {
        lock (_gate)
        {
            if (_failures.Count < 50)
            {
                _failures.Add(what);
            }
        }
    }

    /// <summary>Requests per status, e.g. <c>200: 12, 400: 900</c>.</summary>
    public string Statuses()
    {
        lock (_gate)
        {
            return string.Join(", ", _byStatus.Select(s => $"{s.Key}: {s.Value}"));
        }
    }

    /// <summary>Writes the tally to <c>artifacts/{name}.json</c> for RELIABILITY.md.</summary>
    public void Save(string name, int seed)
    {
        var folder = Path.Combine(TestEnvironment.RepoRoot, "artifacts");
        Directory.CreateDirectory(folder);
        lock (_gate)
        {
            File.WriteAllText(Path.Combine(folder, name + ".json"), JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["seed"] = seed,
                ["requests"] = Requests,
                ["refusedBeforeApp"] = RefusedBeforeApp,
                ["statuses"] = _byStatus.ToDictionary(s => s.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), s => s.Value),
                ["failures"] = _failures,
            }));
        }
    }
}
