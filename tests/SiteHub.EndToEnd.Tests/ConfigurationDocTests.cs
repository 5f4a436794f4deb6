using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Xml.Linq;
using SiteHub.Testing;

namespace SiteHub.EndToEnd.Tests;

/// <summary>
/// CONFIGURATION.md is generated from the options classes (their sections, properties, defaults and
/// XML doc comments), so it cannot drift: this test regenerates it and fails if the committed file
/// differs. To update it after changing an options class: <c>SITEHUB_WRITE_DOCS=1 bash scripts/test.sh</c>
/// (or the same variable with <c>dotnet test --project tests/SiteHub.EndToEnd.Tests</c>).
/// </summary>
public sealed class ConfigurationDocTests
{
    private static readonly (string Title, string Project, string Intro)[] Apps =
    [
        ("Gateway", "gateway/SiteHub.Gateway", "One per site: `dotnet SiteHub.Gateway.dll` (or `dotnet run --project gateway/SiteHub.Gateway --`)."),
        ("Hub", "hub/SiteHub.Hub", "Central: `dotnet SiteHub.Hub.dll` (or `dotnet run --project hub/SiteHub.Hub --`)."),
    ];

    [Fact]
    public void Configuration_md_matches_the_options_classes()
    {
        var generated = Generate();
        var path = Path.Combine(TestEnvironment.RepoRoot, "CONFIGURATION.md");
        if (Environment.GetEnvironmentVariable("SITEHUB_WRITE_DOCS") == "1")
        {
            File.WriteAllText(path, generated);
        }

        var committed = File.Exists(path) ? File.ReadAllText(path) : "";
        Assert.True(committed == generated,
            "CONFIGURATION.md is out of date with the options classes. Regenerate it: SITEHUB_WRITE_DOCS=1 dotnet test --project tests/SiteHub.EndToEnd.Tests");
    }

    private static string Generate()
    {
        var text = new StringBuilder();
        text.AppendLine("# Configuration reference");
        text.AppendLine();
        text.AppendLine("Generated from the options classes by `tests/SiteHub.EndToEnd.Tests/ConfigurationDocTests.cs`; a test fails when they drift apart.");
        text.AppendLine("Every setting comes from standard .NET configuration: `appsettings.json`, the command line (`--Section:Key=value`),");
        text.AppendLine("or the environment (`Section__Key=value`). The web address is set with `--urls` (or `ASPNETCORE_URLS`); log levels");
        text.AppendLine("with the `Serilog` section (e.g. `--Serilog:MinimumLevel:Default=Warning`); OTLP metrics export with");
        text.AppendLine("`OTEL_EXPORTER_OTLP_ENDPOINT`. A bad value stops start-up with the name of the setting.");
        foreach (var (title, project, intro) in Apps)
        {
            var assembly = Assembly.LoadFrom(TestEnvironment.AppDll(project));
            var docs = XDocument.Load(Path.ChangeExtension(TestEnvironment.AppDll(project), ".xml"));
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"## {title}");
            text.AppendLine();
            text.AppendLine(intro);
            foreach (var type in assembly.GetTypes().Where(t => t.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true }).OrderBy(t => t.FullName, StringComparer.Ordinal))
            {
                var section = (string)type.GetField("Section")!.GetRawConstantValue()!;
                text.AppendLine();
                text.AppendLine(CultureInfo.InvariantCulture, $"### `{section}`");
                text.AppendLine();
                if (Summary(docs, "T:" + type.FullName) is { Length: > 0 } about)
                {
                    text.AppendLine(about);
                    text.AppendLine();
                }

                text.AppendLine("| setting | default | meaning |");
                text.AppendLine("|---|---|---|");
                var instance = Activator.CreateInstance(type)!;
                foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
                {
                    if (property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(Dictionary<,>))
                    {
                        // A section that is itself a map (Gateways:{siteId}:…): document the entry's properties.
                        var entry = property.PropertyType.GetGenericArguments()[1];
                        foreach (var inner in entry.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
                        {
                            text.AppendLine(CultureInfo.InvariantCulture, $"| `{section}:{{siteId}}:{inner.Name}` | (none) | {Summary(docs, $"P:{entry.FullName}.{inner.Name}")} |");
                        }

                        continue;
                    }

                    if (!property.CanWrite)
                    {
                        continue;
                    }

                    text.AppendLine(CultureInfo.InvariantCulture, $"| `{section}:{property.Name}` | {Default(property.GetValue(instance))} | {Summary(docs, $"P:{type.FullName}.{property.Name}")} |");
                }
            }
        }

        text.AppendLine();
        text.AppendLine("## Simulators");
        text.AppendLine();
        text.AppendLine("The simulators take command-line options, not configuration sections: `dotnet run --project simulators/SiteHub.Simulators -- --help`,");
        text.AppendLine("and `-- <command> --help` for each command (`demo`, `bank`, …).");
        return text.ToString();
    }

    private static string Default(object? value) => value switch
    {
        null => "(none)",
        string s when s.Length == 0 => "(none)",
        string s => $"`{s}`",
        bool b => b ? "`true`" : "`false`",
        TimeSpan t => $"`{t.ToString("c", CultureInfo.InvariantCulture)}`",
        IEnumerable e when !e.Cast<object>().Any() => "(empty)",
        IEnumerable e => "`" + string.Join(", ", e.Cast<object>()) + "`",
        IFormattable f => $"`{f.ToString(null, CultureInfo.InvariantCulture)}`",
        _ => $"`{value}`",
    };

    private static string Summary(XDocument docs, string member)
    {
        var node = docs.Descendants("member").FirstOrDefault(m => (string?)m.Attribute("name") == member)?.Element("summary");
        if (node is null)
        {
            return "";
        }

        var parts = node.Nodes().Select(n => n switch
        {
            XText t => t.Value,
            XElement { Name.LocalName: "c" } c => $"`{c.Value}`",
            XElement { Name.LocalName: "see" } see => "`" + ((string?)see.Attribute("cref") ?? (string?)see.Attribute("langword") ?? "").Split('.', ':')[^1] + "`",
            XElement e => e.Value,
            _ => "",
        });
        return string.Join(" ", string.Concat(parts).Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries)).Replace("|", "\\|", StringComparison.Ordinal);
    }
}
