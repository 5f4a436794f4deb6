using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SiteHub.Hub.Reconciliation;

/// <summary>
/// An alert as the interchange format has it (<c>reconcile --format jsonl</c>, <c>GET /api/alerts</c>):
/// <c>type, severity, project_id, worker_id, wage_month, expected, paid, days, detail</c>, nulls written.
/// </summary>
public sealed record AlertJson(
    string Type,
    string Severity,
    string? ProjectId,
    string? WorkerId,
    string? WageMonth,
    [property: JsonConverter(typeof(MoneyJsonConverter))] decimal? Expected,
    [property: JsonConverter(typeof(MoneyJsonConverter))] decimal? Paid,
    int? Days,
    string Detail)
{
    public static AlertJson From(Alert alert) => new(
        alert.Type.Code(), alert.Severity.Code(), alert.ProjectId, alert.WorkerId, alert.WageMonth?.ToString(),
        alert.Expected, alert.Paid, alert.Days, alert.Detail);
}

/// <summary>Money as a JSON number with two decimals (<c>3000.00</c>), as the files write it.</summary>
public sealed class MoneyJsonConverter : JsonConverter<decimal?>
{
    public override decimal? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : reader.GetDecimal();

    public override void Write(Utf8JsonWriter writer, decimal? value, JsonSerializerOptions options)
    {
        if (value is { } money)
        {
            writer.WriteRawValue(money.ToString("F2", CultureInfo.InvariantCulture), skipInputValidation: true);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}

/// <summary>Source-generated JSON of the reconciliation feature.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(AlertJson))]
[JsonSerializable(typeof(List<AlertJson>))]
public sealed partial class ReconciliationJsonContext : JsonSerializerContext;
