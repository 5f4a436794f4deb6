using Microsoft.Extensions.Options;
using SiteHub.Hub.Alerts;
using SiteHub.Hub.Registry;

namespace SiteHub.Hub.Credit;

/// <summary>Enterprise credit per contractor, from the alert history.</summary>
public static class CreditFeature
{
    public static IHostApplicationBuilder AddCredit(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CreditOptions>().BindConfiguration(CreditOptions.Section)
            .Validate(o => o.Window > TimeSpan.Zero, "Credit:Window must be positive")
            .Validate(o => o.Weights.Values.All(w => w is >= 0 and <= 100), "Credit:Weights:{TYPE} must be 0-100 points")
            .Validate(o => o.Weights.Keys.All(k => Reconciliation.AlertTypes.Parse(k) is not null), "Credit:Weights keys must be alert types (UNPAID, UNDERPAID, …)")
            .Validate(o => o.GradeA > o.GradeB && o.GradeB > o.GradeC && o.GradeC > 0 && o.GradeA <= CreditScoring.FullScore, "Credit:GradeA > Credit:GradeB > Credit:GradeC > 0, and GradeA at most 100")
            .ValidateOnStart();
        return builder;
    }

    public static IEndpointRouteBuilder MapCreditApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/contractors/{id}/credit", (string id, RegistryStore registry, AlertStore alerts, TimeProvider clock, IOptions<CreditOptions> options) =>
            Report(id, registry, alerts, clock.GetUtcNow(), options.Value) is { } report
                ? Results.Json(report, HubApiJsonContext.Api.CreditReport)
                : ApiInput.NotFound($"no contractor '{id}' (neither a project's contractor nor an employer on a roster)"));
        return app;
    }

    /// <summary>Every contractor: the projects' general contractors and the rosters' employers.</summary>
    public static IReadOnlyList<string> Contractors(RegistryStore registry) =>
        registry.AllProjects().Select(p => p.Contractor).Concat(registry.AllWorkers().Select(w => w.Employer))
            .Where(c => !string.IsNullOrEmpty(c)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>A contractor's credit from the alerts of its projects and of the workers it employs; null when it is no contractor.</summary>
    public static CreditReport? Report(string id, RegistryStore registry, AlertStore alerts, DateTimeOffset now, CreditOptions options)
    {
        var links = ContractorLinks.From(registry);
        if (!Contractors(registry).Contains(id, StringComparer.Ordinal))
        {
            return null;
        }

        var events = alerts.Query(new AlertFilter()).Where(a => links.Counts(a, id)).Select(a => new CreditEvent(a.Type, a.RaisedAt));
        return CreditScoring.Score(id, events, now, options);
    }
}
