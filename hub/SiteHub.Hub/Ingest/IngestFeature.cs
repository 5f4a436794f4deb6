using System.Globalization;

namespace SiteHub.Hub.Ingest;

/// <summary>The punch and attendance store and its query API.</summary>
public static class IngestFeature
{
    public static IHostApplicationBuilder AddPunchStore(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PunchStore>();
        builder.Services.AddSingleton<AttendanceStore>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<AttendanceStore>());
        return builder;
    }

    public static IEndpointRouteBuilder MapPunchesApi(this IEndpointRouteBuilder app)
    {
        // limit is read as text: a bound int? would answer "limit=abc" with an empty 400 that names nothing.
        app.MapGet("/api/punches", (PunchStore store, string? site, string? person, string? from, string? to, string? limit) =>
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            var fromTime = ParseTime(from, "from", errors);
            var toTime = ParseTime(to, "to", errors);
            var count = 1000;
            if (!string.IsNullOrEmpty(limit) && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > 100_000))
            {
                errors["limit"] = ["must be 1-100000"];
            }

            return errors.Count > 0
                ? Results.ValidationProblem(errors)
                : Results.Ok(store.Query(site, person, fromTime, toTime, count));
        });
        return app;
    }

    private static DateTimeOffset? ParseTime(string? text, string name, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }

        errors[name] = ["must be an ISO 8601 date or date and time"];
        return null;
    }
}
