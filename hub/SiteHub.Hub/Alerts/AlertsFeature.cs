using System.Globalization;
using SiteHub.Hub.Reconciliation;
using SiteHub.Hub.Registry;

namespace SiteHub.Hub.Alerts;

/// <summary>Live reconciliation and alerts: the rules fed by punches, payouts and the clock, security alerts (topic violations), the alert store, and their API.</summary>
public static class AlertsFeature
{
    public static IHostApplicationBuilder AddAlerts(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReconciliationOptions>().BindConfiguration(ReconciliationOptions.Section).ValidateDataAnnotations()
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.DefaultTimeZone, out _), "Reconciliation:DefaultTimeZone must be an IANA time zone id (e.g. Asia/Shanghai)")
            .ValidateOnStart();
        builder.Services.AddOptions<AlertsOptions>().BindConfiguration(AlertsOptions.Section)
            .Validate(o => o.TickInterval >= TimeSpan.FromSeconds(1) && o.TickInterval <= TimeSpan.FromDays(1), "Alerts:TickInterval must be from 00:00:01 to 1.00:00:00")
            .Validate(o => o.GatewayOfflineAfter >= TimeSpan.FromSeconds(10) && o.GatewayOfflineAfter <= TimeSpan.FromDays(7), "Alerts:GatewayOfflineAfter must be from 00:00:10 to 7.00:00:00")
            .Validate(o => o.DeviceOfflineAfter >= TimeSpan.FromSeconds(10) && o.DeviceOfflineAfter <= TimeSpan.FromDays(7), "Alerts:DeviceOfflineAfter must be from 00:00:10 to 7.00:00:00")
            .ValidateOnStart();
        builder.Services.AddSingleton<AlertStore>();
        builder.Services.AddSingleton<TopicViolations>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<TopicViolations>());
        builder.Services.AddHostedService<OfflineWatch>();
        builder.Services.AddSingleton<RuleSettingsStore>();
        builder.Services.AddSingleton<LiveReconciler>();
        builder.Services.AddHostedService<PunchRulesWorker>();
        builder.Services.AddHostedService<RulesClock>();
        return builder;
    }

    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        var json = HubApiJsonContext.Api;
        app.MapGet("/api/alerts", (string? status, string? type, string? project, string? worker, string? month, AlertStore alerts) =>
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            if (status is not null && !AlertStatus.IsKnown(status) && status != "active")
            {
                errors["status"] = ["must be open, acknowledged, resolved or active"];
            }

            if (type is not null && AlertTypes.Parse(type) is null)
            {
                errors["type"] = [$"'{type}' is not an alert type (UNPAID, UNDERPAID, LATE, …)"];
            }

            if (month is not null && !YearMonth.TryParse(month, out _))
            {
                errors["month"] = ["must be a month YYYY-MM"];
            }

            return errors.Count > 0
                ? ApiInput.Invalid(errors)
                : Results.Json(alerts.Query(new AlertFilter(status, type, project, worker, month)).Select(a => AlertJsonWithLifecycle.From(a)).ToList(), json.ListAlertJsonWithLifecycle);
        });
        app.MapGet("/api/alerts/{id}", (string id, AlertStore alerts) =>
            !long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var alertId) ? ApiInput.Invalid("id", "must be an alert number")
            : alerts.Find(alertId) is { } alert ? Results.Json(AlertJsonWithLifecycle.From(alert, withHistory: true), json.AlertJsonWithLifecycle)
            : ApiInput.NotFound($"no alert {id}"));
        app.MapPost("/api/alerts/{id}/acknowledge", (string id, HttpContext context, AlertStore alerts, CancellationToken cancellationToken) =>
            ChangeAsync(id, context, alerts, AlertLifecycle.Acknowledge, cancellationToken));
        app.MapPost("/api/alerts/{id}/resolve", (string id, HttpContext context, AlertStore alerts, CancellationToken cancellationToken) =>
            ChangeAsync(id, context, alerts, AlertLifecycle.Resolve, cancellationToken));

        app.MapGet("/api/workers/{id}/months/{month}", (string id, string month, RegistryStore registry, LiveReconciler live, AlertStore alerts) =>
        {
            if (!YearMonth.TryParse(month, out var wageMonth))
            {
                return ApiInput.Invalid("month", "must be a month YYYY-MM");
            }

            return WorkerMonth(id, wageMonth, registry, live, alerts) is { } result
                ? Results.Json(result, json.WorkerMonthJson)
                : ApiInput.NotFound($"no worker '{id}'");
        });

        app.MapGet("/api/projects/{id}/reconciliation/{month}", (string id, string month, LiveReconciler live) =>
        {
            if (!YearMonth.TryParse(month, out var wageMonth))
            {
                return ApiInput.Invalid("month", "must be a month YYYY-MM");
            }

            var result = ProjectMonth(live, id, wageMonth);
            return result is null ? ApiInput.NotFound($"no project '{id}'") : Results.Json(result, json.ProjectReconciliationJson);
        });

        app.MapGet("/api/reconciliation/state", (LiveReconciler live) => Results.Json(live.State, json.ReconciliationState));
        return app;
    }

    /// <summary>A project's month, worker by worker (the table of <c>GET /api/projects/{id}/reconciliation/{month}</c>); null when there is no such project.</summary>
    public static ProjectReconciliationJson? ProjectMonth(LiveReconciler live, string id, YearMonth wageMonth) =>
        live.Query(engine =>
        {
            var ledger = engine.Ledger;
            if (!ledger.Projects.TryGetValue(id, out var project))
            {
                return null;
            }

            var due = WagePolicy.DueDate(project, wageMonth);
            var workers = ledger.RosterOf(id)
                .Where(e => e.StartDate <= wageMonth.Last && (e.EndDate is null || e.EndDate >= wageMonth.First))
                .OrderBy(e => e.WorkerId, StringComparer.Ordinal)
                .Select(e =>
                {
                    var figures = ledger.FiguresOf(e.WorkerId, id, wageMonth, engine.AsOf);
                    var days = figures?.AttendedDays ?? 0;
                    var types = ledger.Evaluate(new Scope(ScopeKind.WorkerMonth, id, e.WorkerId, wageMonth), engine.AsOf).Select(a => a.Type.Code()).ToList();
                    var status = types.Count > 0 ? string.Join(",", types)
                        : days == 0 && (figures?.Paid ?? 0m) == 0m ? "no attendance"
                        : engine.AsOf <= due && (figures?.Paid ?? 0m) < (figures?.Expected ?? 0m) ? "not due"
                        : "ok";
                    return new WorkerReconciliationJson(e.WorkerId, e.Name, days, figures?.Expected ?? 0m, figures?.Paid ?? 0m, status);
                })
                .ToList();
            return new ProjectReconciliationJson(id, wageMonth.ToString(), engine.AsOf, due, workers.Sum(w => w.Expected), workers.Sum(w => w.Paid), workers);
        });

    /// <summary>A worker's month (the answer of <c>GET /api/workers/{id}/months/{month}</c>); null when there is no such worker.</summary>
    public static WorkerMonthJson? WorkerMonth(string id, YearMonth wageMonth, RegistryStore registry, LiveReconciler live, AlertStore alerts)
    {
        var enrolments = registry.EnrolmentsOf(id);
        if (enrolments.Count == 0)
        {
            return null;
        }

        var (asOf, projects, payouts) = live.Query(engine =>
        {
            var ledger = engine.Ledger;
            var projects = new List<WorkerProjectMonthJson>();
            var payouts = new List<PayoutJson>();
            foreach (var enrolment in enrolments)
            {
                if (!ledger.Projects.TryGetValue(enrolment.ProjectId, out var project))
                {
                    continue;
                }

                var figures = ledger.FiguresOf(id, project.ProjectId, wageMonth, engine.AsOf);
                var days = ledger.AttendanceOf(id, project.ProjectId, wageMonth, engine.AsOf)
                    .Select(d => new AttendanceDayJson(d.Date, d.FirstIn, d.LastOut, d.WorkedHours is { } h ? Math.Round(h.TotalHours, 2) : null)).ToList();
                var expected = figures?.Expected ?? WagePolicy.ExpectedPay(enrolment.ToEntry(), wageMonth, 0);
                projects.Add(new WorkerProjectMonthJson(project.ProjectId, figures?.AttendedDays ?? 0, expected, figures?.Paid ?? 0m,
                    WagePolicy.DueDate(project, wageMonth), days));
                payouts.AddRange(ledger.PayoutsOf(id, project.ProjectId, wageMonth, engine.AsOf).Select(p => new PayoutJson(
                    p.Payout.TxnId, project.ProjectId, p.Payout.Amount, p.Succeeded ? "SUCCESS" : "FAILED", p.PaidDate, p.Payout.PayerAccountMasked, p.FromWageAccount,
                    p.Payout.PayeeName, p.Payout.PayeeIdMasked, p.Payout.PayeeAccountMasked, p.Link == PayoutLink.IdNumber ? "id_number" : "bank_account")));
            }

            return (engine.AsOf, projects, payouts);
        });
        var found = alerts.Query(new AlertFilter(WorkerId: id, WageMonth: wageMonth.ToString())).Select(a => AlertJsonWithLifecycle.From(a)).ToList();
        return new WorkerMonthJson(id, wageMonth.ToString(), asOf, projects, payouts, found);
    }

    private static async Task<IResult> ChangeAsync(string id, HttpContext context, AlertStore alerts, Func<AlertDoc, string, string?, DateTimeOffset, AlertDoc> step, CancellationToken cancellationToken)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var alertId))
        {
            return ApiInput.Invalid("id", "must be an alert number");
        }

        AlertAction action = new();
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            var (body, error) = await ApiInput.ReadJsonAsync(context.Request, HubApiJsonContext.Api.AlertAction, cancellationToken);
            if (error is not null)
            {
                return error;
            }

            action = body!;
        }

        if (action.Comment is { Length: > 2000 })
        {
            return ApiInput.Invalid("comment", "must be at most 2000 characters");
        }

        var user = ApiInput.UserOf(context);
        var comment = NumberScrubber.Scrub(action.Comment);
        try
        {
            return alerts.Change(alertId, (alert, now) => step(alert, user, comment, now)) is { } changed
                ? Results.Json(AlertJsonWithLifecycle.From(changed, withHistory: true), HubApiJsonContext.Api.AlertJsonWithLifecycle)
                : ApiInput.NotFound($"no alert {id}");
        }
        catch (InvalidOperationException ex)
        {
            return ApiInput.Conflict(ex.Message);
        }
    }
}
