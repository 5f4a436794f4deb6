using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using SiteHub.Hub.Alerts;
using SiteHub.Hub.Credit;
using SiteHub.Hub.Imports;
using SiteHub.Hub.Registry;

namespace SiteHub.Hub;

/// <summary>Source-generated JSON of the registry, imports, alerts and credit API: snake_case, like the interchange formats.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ProjectJson))]
[JsonSerializable(typeof(List<ProjectJson>))]
[JsonSerializable(typeof(ProjectUpdate))]
[JsonSerializable(typeof(WorkerJson))]
[JsonSerializable(typeof(WorkerUpdate))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(ImportResultJson))]
[JsonSerializable(typeof(List<ImportJson>))]
[JsonSerializable(typeof(AlertJsonWithLifecycle))]
[JsonSerializable(typeof(List<AlertJsonWithLifecycle>))]
[JsonSerializable(typeof(AlertAction))]
[JsonSerializable(typeof(WorkerMonthJson))]
[JsonSerializable(typeof(ProjectReconciliationJson))]
[JsonSerializable(typeof(ReconciliationState))]
[JsonSerializable(typeof(CreditReport))]
[JsonSerializable(typeof(List<CreditReport>))]
public sealed partial class HubApiJsonContext : JsonSerializerContext
{
    /// <summary>The context the API answers with: Chinese names and details as they are, not as <c>\uXXXX</c> escapes (HTML-sensitive characters stay escaped).</summary>
    /// <remarks>Made on first use: the generated <c>Default</c> is initialised in another part of the class, in no set order.</remarks>
    public static HubApiJsonContext Api => _api ??= new(new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) });

    private static HubApiJsonContext? _api;
}
