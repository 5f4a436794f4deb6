using System.Text;
using Microsoft.Extensions.Options;
using SiteHub.Gateway.Configuration;
using SiteHub.Gateway.Ingest;

namespace SiteHub.Gateway.Outbox;

/// <summary>The durable outbox, the device ingest that fills it, and their REST API.</summary>
public static class OutboxFeature
{
    public static IHostApplicationBuilder AddOutbox(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(provider => new OutboxStore(
            provider.GetRequiredService<IOptions<GatewayOptions>>().Value.DataPath,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<OutboxStore>>()));
        builder.Services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.RetainDelivered > TimeSpan.Zero, "Outbox:RetainDelivered must be positive")
            .Validate(o => o.PruneInterval > TimeSpan.Zero, "Outbox:PruneInterval must be positive")
            .ValidateOnStart();
        builder.Services.AddHostedService<OutboxPruner>();
        builder.Services.AddSingleton<IngestCounters>();
        builder.Services.AddSingleton<DeviceIngest>();
        return builder;
    }

    public static IEndpointRouteBuilder MapOutboxApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/outbox", (OutboxStore outbox, IngestCounters counters) =>
        {
            var counts = outbox.Counts();
            return new
            {
                counts.Pending,
                counts.Delivered,
                counts.Quarantined,
                counts.OldestPendingAt,
                Received = counters.Punches,
                Refused = counters.Refused,
                TopicViolations = counters.Violations,
                Commit = new
                {
                    outbox.Committer.Healthy,
                    outbox.Committer.LastError,
                    outbox.Committer.Commits,
                    outbox.Committer.LastGroupSize,
                    LastCommitMs = outbox.Committer.LastCommitDuration.TotalMilliseconds,
                },
            };
        });
        app.MapGet("/api/quarantine", (OutboxStore outbox, string? limit) => !ApiInput.TryLimit(limit, 100, 1000, out var count, out var invalid) ? invalid! : Results.Ok(outbox.Quarantined(count).Select(q => new
        {
            Id = q.Id?.ToString(),
            q.At,
            q.DeviceSn,
            q.Source,
            q.Protocol,
            q.Reason,
            q.Size,
            q.Truncated,
            Preview = Encoding.UTF8.GetString(q.Raw, 0, Math.Min(q.Raw.Length, 2048)),
        })));
        return app;
    }
}
