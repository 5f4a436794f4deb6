using SiteHub.Gateway.Commands;

namespace SiteHub.Gateway.Enrolment;

/// <summary>Body of <c>PUT /api/roster</c>.</summary>
public sealed record RosterBody(List<RosterWorkerBody>? Workers);

/// <summary>One worker in <c>PUT /api/roster</c>.</summary>
public sealed record RosterWorkerBody(string? Id, string? Name);

/// <summary>The local roster and its enrolment onto terminals.</summary>
public static class EnrolmentFeature
{
    public static IHostApplicationBuilder AddEnrolment(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EnrolmentOptions>().BindConfiguration(EnrolmentOptions.Section)
            .Validate(o => o.Interval > TimeSpan.Zero, "Enrolment:Interval must be positive").ValidateOnStart();
        builder.Services.AddSingleton<RosterStore>();
        builder.Services.AddSingleton<EnrolmentReconciler>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<EnrolmentReconciler>());
        builder.Services.AddHostedService<HubRosterListener>();
        return builder;
    }

    public static IEndpointRouteBuilder MapEnrolmentApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/roster", (RosterStore store) => store.Roster());
        app.MapPut("/api/roster", async (HttpRequest request, RosterStore store, EnrolmentReconciler reconciler, CancellationToken cancellationToken) =>
        {
            var (body, invalid) = await ApiInput.ReadJsonAsync<RosterBody>(request, cancellationToken);
            if (body is null)
            {
                return invalid!;
            }

            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            var workers = new List<RosterWorker>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (worker, i) in (body.Workers ?? []).Select((w, i) => (w, i)))
            {
                if (worker is null)
                {
                    errors[$"workers[{i}]"] = ["must be a worker: {\"id\": …, \"name\": …}"]; // a null in the list: was a 500
                    continue;
                }

                var args = new Dictionary<string, string>(StringComparer.Ordinal) { ["person"] = worker.Id ?? "", ["name"] = worker.Name ?? "" };
                if (CommandOps.Problem(CommandOps.UpsertPerson, args) is { } problem)
                {
                    errors[$"workers[{i}]"] = [problem.Replace("args.person", "id", StringComparison.Ordinal).Replace("args.name", "name", StringComparison.Ordinal)];
                }
                else if (!seen.Add(worker.Id!))
                {
                    errors[$"workers[{i}].id"] = [$"'{worker.Id}' appears twice"];
                }
                else
                {
                    workers.Add(new RosterWorker(worker.Id!, worker.Name!.Trim()));
                }
            }

            if (body.Workers is null)
            {
                errors["workers"] = ["required (an empty list clears the roster)"];
            }

            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors);
            }

            store.ReplaceRoster(workers);
            reconciler.Wake();
            return Results.Ok(new { Workers = workers.Count });
        });
        app.MapGet("/api/devices/{sn}/enrolled", (string sn, RosterStore store) => store.Enrolled(sn));
        return app;
    }
}
