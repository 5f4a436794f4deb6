using System.Text.Json;
using SiteHub.Testing;

namespace SiteHub.EndToEnd.Tests;

/// <summary>The figures of a fault test's run, written to <c>artifacts/reliability-{name}.json</c> for RELIABILITY.md.</summary>
public static class Figures
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task WriteAsync(string name, IReadOnlyDictionary<string, object?> figures, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(TestEnvironment.RepoRoot, "artifacts");
        Directory.CreateDirectory(folder);
        var json = JsonSerializer.Serialize(figures, Indented);
        await File.WriteAllTextAsync(Path.Combine(folder, $"reliability-{name}.json"), json, cancellationToken);
        TestContext.Current.TestOutputHelper?.WriteLine(json);
    }
}
