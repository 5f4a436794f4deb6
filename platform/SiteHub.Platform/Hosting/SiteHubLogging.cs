using Microsoft.Extensions.Hosting;
using Serilog;
using Serilog.Events;

namespace SiteHub.Platform.Hosting;

/// <summary>Serilog behind Microsoft.Extensions.Logging, the same for every SiteHub process.</summary>
public static class SiteHubLogging
{
    /// <summary>Console logging with the component name in every line; levels from the <c>Serilog</c> section.</summary>
    public static IHostApplicationBuilder AddSiteHubLogging(this IHostApplicationBuilder builder, string component)
    {
        builder.Services.AddSerilog((services, configuration) => configuration
            .ReadFrom.Configuration(builder.Configuration)
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting", LogEventLevel.Information)
            .Enrich.WithProperty("Component", component)
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3} {Component}] {Message:lj}{NewLine}{Exception}"));
        return builder;
    }
}
