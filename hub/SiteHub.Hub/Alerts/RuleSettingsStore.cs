using LiteDB;
using Microsoft.Extensions.Options;
using SiteHub.Hub.Reconciliation;
using SiteHub.Hub.Registry;

namespace SiteHub.Hub.Alerts;

/// <summary>The global rule settings an admin set at runtime (<c>settings</c> in <c>registry.db</c>); <c>null</c>: the configured value.</summary>
public sealed record RuleSettingsDoc
{
    public const string Key = "rules";

    [BsonId] public string Id { get; init; } = Key;

    /// <summary>Overrides <see cref="ReconciliationOptions.NoAttendanceDays"/>.</summary>
    public int? NoAttendanceDays { get; init; }

    /// <summary>Overrides <see cref="ReconciliationOptions.ExcessivePayCap"/>.</summary>
    public decimal? ExcessivePayCap { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    public string? UpdatedBy { get; init; }
}

/// <summary>
/// The defaults of the per-project thresholds as the rules use them: what an admin set in the web
/// UI (stored, so it outlives a restart), else the <c>Reconciliation</c> section. The default
/// time zone is not editable here: it decides which day "today" is for every rule, so it stays
/// a start-up setting.
/// </summary>
public sealed class RuleSettingsStore(RegistryDatabase database, IOptions<ReconciliationOptions> configured, TimeProvider clock)
{
    public const string Collection = "settings";

    /// <summary>The configured values (the <c>Reconciliation</c> section).</summary>
    public ReconciliationOptions Configured => configured.Value;

    /// <summary>What an admin stored (all null when nothing).</summary>
    public RuleSettingsDoc Stored() =>
        database.Read(db => db.GetCollection<RuleSettingsDoc>(Collection).FindById(RuleSettingsDoc.Key)) ?? new RuleSettingsDoc();

    /// <summary>The settings the rules run with now.</summary>
    public ReconciliationSettings Effective()
    {
        var stored = Stored();
        var options = Configured;
        return ReconciliationSettings.From(new ReconciliationOptions
        {
            NoAttendanceDays = stored.NoAttendanceDays ?? options.NoAttendanceDays,
            ExcessivePayCap = stored.ExcessivePayCap ?? options.ExcessivePayCap,
            DefaultTimeZone = options.DefaultTimeZone,
        });
    }

    /// <summary>Stores new overrides (null: back to the configured value).</summary>
    public RuleSettingsDoc Save(int? noAttendanceDays, decimal? excessivePayCap, string by)
    {
        var doc = new RuleSettingsDoc { NoAttendanceDays = noAttendanceDays, ExcessivePayCap = excessivePayCap, UpdatedAt = clock.GetUtcNow(), UpdatedBy = by };
        database.Write(db => db.GetCollection<RuleSettingsDoc>(Collection).Upsert(doc));
        return doc;
    }
}
