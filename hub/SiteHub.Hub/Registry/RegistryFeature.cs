using System.Globalization;
using Microsoft.Extensions.Options;
using SiteHub.Hub.Alerts;
using SiteHub.Hub.Configuration;
using SiteHub.Protocols.Punches;

namespace SiteHub.Hub.Registry;

/// <summary>The registry: <c>registry.db</c>, the hash key, and the projects / workers / contractors API.</summary>
public static class RegistryFeature
{
    public static IHostApplicationBuilder AddRegistry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RegistryOptions>().BindConfiguration(RegistryOptions.Section)
            .PostConfigure<IOptions<HubOptions>, ILoggerFactory>((options, hub, loggers) =>
            {
                if (!string.IsNullOrEmpty(options.HashKey))
                {
                    return;
                }

                options.HashKey = HashKeyFile.ReadOrCreate(hub.Value.DataPath, out var created);
                var logger = loggers.CreateLogger("SiteHub.Hub.Registry");
                var path = Path.GetFullPath(Path.Combine(hub.Value.DataPath, HashKeyFile.FileName));
                if (created)
                {
                    logger.LogWarning("Registry:HashKey is not set: generated a random hash key in {KeyFile} (owner read/write only). Back it up with the data: without it no stored ID or account hash can be matched again. Set Registry:HashKey to use your own", path);
                }
                else
                {
                    logger.LogDebug("Registry:HashKey is not set: using the hash key in {KeyFile}", path);
                }
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(provider => KeyedHasher.FromSecret(provider.GetRequiredService<IOptions<RegistryOptions>>().Value.HashKey));
        builder.Services.AddSingleton<RegistryDatabase>();
        builder.Services.AddSingleton<RegistryStore>();
        return builder;
    }

    public static IEndpointRouteBuilder MapRegistryApi(this IEndpointRouteBuilder app)
    {
        var json = HubApiJsonContext.Api;
        app.MapGet("/api/projects", (RegistryStore store) =>
            Results.Json(store.AllProjects().Select(ProjectJson.From).ToList(), json.ListProjectJson));
        app.MapGet("/api/projects/{id}", (string id, RegistryStore store) =>
            store.FindProject(id) is { } project ? Results.Json(ProjectJson.From(project), json.ProjectJson) : ApiInput.NotFound($"no project '{id}'"));
        app.MapPut("/api/projects/{id}", async (string id, HttpRequest request, RegistryStore store, KeyedHasher hasher, LiveReconciler live, CancellationToken cancellationToken) =>
        {
            var (update, error) = await ApiInput.ReadJsonAsync(request, json.ProjectUpdate, cancellationToken);
            if (error is not null)
            {
                return error;
            }

            var existing = store.FindProject(id);
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            var project = ApplyProject(id, existing, update!, hasher, store, errors);
            if (project is null)
            {
                return ApiInput.Invalid(errors);
            }

            store.UpsertProjects([project]);
            live.RegistryChanged([id], []);
            return Results.Json(ProjectJson.From(store.FindProject(id)!), json.ProjectJson, statusCode: existing is null ? StatusCodes.Status201Created : StatusCodes.Status200OK);
        });
        app.MapGet("/api/contractors", (RegistryStore store) =>
            Results.Json(store.AllContractors().Select(c => c.Id).Order(StringComparer.Ordinal).ToList(), json.ListString));

        app.MapGet("/api/workers/{id}", (string id, RegistryStore store) =>
            store.EnrolmentsOf(id) is { Count: > 0 } enrolments ? Results.Json(WorkerJson.From(enrolments), json.WorkerJson) : ApiInput.NotFound($"no worker '{id}'"));
        app.MapPut("/api/workers/{id}", async (string id, HttpRequest request, RegistryStore store, KeyedHasher hasher, LiveReconciler live, CancellationToken cancellationToken) =>
        {
            var (update, error) = await ApiInput.ReadJsonAsync(request, json.WorkerUpdate, cancellationToken);
            if (error is not null)
            {
                return error;
            }

            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            var entries = ApplyWorker(id, update!, hasher, store, live.Today, errors);
            if (entries is null)
            {
                return ApiInput.Invalid(errors);
            }

            store.UpsertWorkers(entries);
            live.RegistryChanged([], [id]);
            return Results.Json(WorkerJson.From(store.EnrolmentsOf(id)), json.WorkerJson);
        });
        return app;
    }

    /// <summary>A project with <paramref name="update"/> applied to <paramref name="existing"/>, validated; null (and <paramref name="errors"/> by field) when invalid.</summary>
    internal static Project? ApplyProject(string id, ProjectDoc? existing, ProjectUpdate update, KeyedHasher hasher, RegistryStore store, Dictionary<string, string[]> errors)
    {
        void Fail(string field, string message) => errors[field] = [message];
        if (!TopicSafeId.IsValid(id))
        {
            Fail("project_id", "must be letters, digits, '-', '_' or '.'");
        }

        var name = update.Name?.Trim() ?? existing?.Name;
        if (string.IsNullOrEmpty(name))
        {
            Fail("name", "is required");
        }

        var sites = update.SiteIds?.Select(s => s.Trim()).ToArray() ?? existing?.SiteIds;
        if (sites is not { Length: > 0 } || !sites.All(TopicSafeId.IsValid))
        {
            Fail("site_ids", "must list one or more site ids (letters, digits, '-', '_', '.')");
        }

        var contractor = update.Contractor?.Trim() ?? existing?.Contractor;
        if (string.IsNullOrEmpty(contractor))
        {
            Fail("contractor", "is required");
        }

        (string Hash, string Masked)? account = existing is null ? null : (existing.WageAccountHash, existing.WageAccountMasked);
        if (update.WageAccount is not null)
        {
            account = Account(update.WageAccount, hasher);
            if (account is null)
            {
                Fail("wage_account", "must be a bank account number of 8-32 digits");
            }
            else if (store.AllProjects().FirstOrDefault(p => p.Id != id && p.WageAccountHash == account.Value.Hash) is { } owner)
            {
                Fail("wage_account", $"is already the wage account of project '{owner.Id}'");
            }
        }
        else if (account is null)
        {
            Fail("wage_account", "is required");
        }

        var payDay = update.PayDay ?? existing?.PayDay ?? 15;
        if (payDay is < 1 or > 28)
        {
            Fail("pay_day", "must be a day of the month 1-28");
        }

        var zoneId = update.Timezone ?? existing?.TimeZone ?? "Asia/Shanghai";
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var zone))
        {
            Fail("timezone", $"'{zoneId}' is not an IANA time zone");
        }

        var tolerance = update.Tolerance ?? existing?.Tolerance ?? 0.01m;
        if (tolerance is < 0m or >= 1m)
        {
            Fail("tolerance", "must be a fraction from 0 to below 1 (0.01 = 1%)");
        }

        var silentDays = update.NoAttendanceDays ?? existing?.NoAttendanceDays;
        if (silentDays is < 1 or > 366)
        {
            Fail("no_attendance_days", "must be a number of days 1-366");
        }

        var cap = update.ExcessivePayCap ?? existing?.ExcessivePayCap;
        if (cap is <= 0m)
        {
            Fail("excessive_pay_cap", "must be a positive amount");
        }

        return errors.Count > 0 ? null : new Project(id, name!, sites!, contractor!, account!.Value.Hash, account.Value.Masked, payDay, zone!, tolerance, silentDays, cap);
    }

    private static List<RosterEntry>? ApplyWorker(string id, WorkerUpdate update, KeyedHasher hasher, RegistryStore store, DateOnly today, Dictionary<string, string[]> errors)
    {
        void Fail(string field, string message) => errors[field] = [message];
        if (id.Length is 0 or > 64)
        {
            Fail("worker_id", "must be 1-64 characters");
            return null;
        }

        var enrolments = store.EnrolmentsOf(id);
        var projectId = update.ProjectId ?? (enrolments.Count == 1 ? enrolments[0].ProjectId : null);
        if (projectId is null)
        {
            Fail("project_id", enrolments.Count == 0 ? "is required for a new worker" : "is required: the worker is on several projects");
            return null;
        }

        if (store.FindProject(projectId) is null)
        {
            Fail("project_id", $"unknown project '{projectId}'");
            return null;
        }

        var current = enrolments.FirstOrDefault(e => e.ProjectId == projectId);
        var person = current ?? (enrolments.Count > 0 ? enrolments[0] : null);
        var name = update.Name?.Trim() ?? person?.Name;
        if (string.IsNullOrEmpty(name))
        {
            Fail("name", "is required");
        }

        (string Hash, string Masked)? idNumber = person is null ? null : (person.IdNumberHash, person.IdNumberMasked);
        if (update.IdNumber is not null)
        {
            if (ResidentIdNumber.Validate(update.IdNumber, today) is { } reason)
            {
                Fail("id_number", reason);
            }
            else
            {
                idNumber = (hasher.IdNumber(update.IdNumber), Masking.IdNumber(update.IdNumber));
                if (store.AllWorkers().FirstOrDefault(w => w.WorkerId != id && w.IdNumberHash == idNumber.Value.Hash) is { } owner)
                {
                    Fail("id_number", $"is already registered to worker '{owner.WorkerId}'");
                }
            }
        }
        else if (idNumber is null)
        {
            Fail("id_number", "is required for a new worker");
        }

        (string Hash, string Masked)? account = current is null ? null : (current.BankAccountHash, current.BankAccountMasked);
        if (update.BankAccount is not null)
        {
            account = Account(update.BankAccount, hasher);
            if (account is null)
            {
                Fail("bank_account", "must be a bank account number of 8-32 digits");
            }
        }
        else if (account is null)
        {
            Fail("bank_account", "is required for a new enrolment");
        }

        var wageTypeText = update.WageType?.Trim().ToUpperInvariant() ?? current?.WageType.ToUpperInvariant();
        WageType? wageType = wageTypeText switch { "DAY" => WageType.Day, "MONTH" => WageType.Month, _ => null };
        if (wageType is null)
        {
            Fail("wage_type", "must be 'day' or 'month'");
        }

        var rate = update.WageRate ?? current?.WageRate;
        if (rate is null or < 0m || (rate is { } r && decimal.Round(r, 2) != r))
        {
            Fail("wage_rate", "must be an amount in yuan with at most two decimals");
        }

        var start = Date(update.StartDate ?? current?.StartDate, "start_date", required: true, errors);
        var end = update.EndDate is "" ? null : Date(update.EndDate ?? current?.EndDate, "end_date", required: false, errors);
        if (start is not null && end is not null && end < start)
        {
            Fail("end_date", "is before start_date");
        }

        if (errors.Count > 0)
        {
            return null;
        }

        var entry = new RosterEntry(id, name!, idNumber!.Value.Hash, idNumber.Value.Masked, projectId, update.Employer?.Trim() ?? current?.Employer ?? "",
            update.Team?.Trim() ?? current?.Team ?? "", account!.Value.Hash, account.Value.Masked, wageType!.Value, rate!.Value, start!.Value, end);

        // Name and ID number are the person's: every enrolment carries the same.
        return [entry, .. enrolments.Where(e => e.ProjectId != projectId)
            .Select(e => e.ToEntry() with { Name = entry.Name, IdNumberHash = entry.IdNumberHash, IdNumberMasked = entry.IdNumberMasked })];
    }

    private static DateOnly? Date(string? text, string field, bool required, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            if (required)
            {
                errors[field] = ["is required (YYYY-MM-DD)"];
            }

            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        errors[field] = ["must be a date YYYY-MM-DD"];
        return null;
    }

    private static (string Hash, string Masked)? Account(string text, KeyedHasher hasher)
    {
        var value = KeyedHasher.NormalizeAccount(text);
        return value.Length is < 8 or > 32 || !value.All(char.IsAsciiDigit) ? null : (hasher.BankAccount(value), Masking.BankAccount(value));
    }
}
