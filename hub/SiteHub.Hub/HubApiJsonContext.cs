using System.Text.Json.Serialization;
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
public sealed partial class HubApiJsonContext : JsonSerializerContext;
