using System.Reflection;

namespace SiteHub.Protocols.Tests;

/// <summary>The byte-exact sample payloads embedded in this assembly (see Samples/README.md).</summary>
internal static class Samples
{
    private static readonly Assembly Assembly = typeof(Samples).Assembly;

    /// <summary>Every sample path under <c>Samples/{protocol}/</c>.</summary>
    public static IEnumerable<string> Names(string protocol) =>
        Assembly.GetManifestResourceNames().Where(n => n.StartsWith($"Samples/{protocol}/", StringComparison.Ordinal)).Order(StringComparer.Ordinal);

    /// <summary>The payload samples of a protocol: everything but expectations and pictures.</summary>
    public static IEnumerable<string> Payloads(string protocol) =>
        Names(protocol).Where(n => !n.EndsWith(".expected.jsonl", StringComparison.Ordinal) && !n.EndsWith(".jpg", StringComparison.Ordinal));

    public static byte[] Bytes(string name)
    {
        using var stream = Assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"no embedded sample {name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public static byte[] Bytes(string protocol, string file) => Bytes($"Samples/{protocol}/{file}");

    /// <summary>The expectation beside a payload: <c>x.json</c> → <c>x.expected.jsonl</c>.</summary>
    public static string[] Expected(string payloadName)
    {
        var name = payloadName[..payloadName.LastIndexOf('.')] + ".expected.jsonl";
        return System.Text.Encoding.UTF8.GetString(Bytes(name)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
