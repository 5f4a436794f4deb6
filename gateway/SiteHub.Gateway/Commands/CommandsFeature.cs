using Microsoft.Extensions.Options;
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
        return builder;
    }
}
