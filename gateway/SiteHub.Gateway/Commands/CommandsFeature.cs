using Microsoft.Extensions.Options;
using SiteHub.Gateway.Devices;
using SiteHub.Gateway.Ingest;

namespace SiteHub.Gateway.Commands;

/// <summary>The durable device command queue, its dispatcher and REST API.</summary>
public static class CommandsFeature
{
    public static IHostApplicationBuilder AddCommands(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CommandOptions>().BindConfiguration(CommandOptions.Section)
            .Validate(o => o.ResendAfter > TimeSpan.Zero, "Commands:ResendAfter must be positive")
            .Validate(o => o.MaxAttempts is >= 1 and <= 100, "Commands:MaxAttempts must be 1-100")
            .Validate(o => o.DispatchInterval > TimeSpan.Zero, "Commands:DispatchInterval must be positive")
            .ValidateOnStart();
        builder.Services.AddSingleton<CommandQueue>();
        builder.Services.AddSingleton<ICommandResultSink>(provider => provider.GetRequiredService<CommandQueue>());
        builder.Services.AddHostedService<CommandDispatcher>();
        return builder;
    }

    public static IEndpointRouteBuilder MapCommandsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/devices/{sn}/commands", async (string sn, HttpRequest request, DeviceRegistry registry, CommandQueue queue, CancellationToken cancellationToken) =>
        {
            if (registry.Find(sn) is null)
            {
                return Results.NotFound();
            }

            var (body, invalid) = await ApiInput.ReadJsonAsync<CommandRequest>(request, cancellationToken);
            if (body is null)
            {
                return invalid!;
            }

            if (CommandOps.Problem(body.Op, body.Args) is { } problem)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal) { ["op"] = [problem] });
            }

            var command = queue.Enqueue(sn, body.Op!, body.Args, "api");
            return Results.Accepted($"/api/devices/{sn}/commands/{command.Id}", command);
        });
        app.MapGet("/api/devices/{sn}/commands", (string sn, DeviceRegistry registry, CommandQueue queue) =>
            registry.Find(sn) is null ? Results.NotFound() : Results.Ok(queue.ForDevice(sn)));
        app.MapGet("/api/devices/{sn}/commands/{id:long}", (string sn, long id, CommandQueue queue) =>
            queue.Find(id) is { } command && command.Sn == sn ? Results.Ok(command) : Results.NotFound());
        return app;
    }
}

/// <summary>Body of <c>POST /api/devices/{sn}/commands</c>.</summary>
/// <param name="Op">open, reboot, sync-time, upsert-person, delete-person.</param>
/// <param name="Args">upsert-person: person, name (card, face optional); delete-person: person; open: door (default 1).</param>
public sealed record CommandRequest(string? Op, Dictionary<string, string>? Args);
