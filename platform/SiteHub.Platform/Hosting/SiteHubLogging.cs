using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;
using Serilog.Events;

namespace SiteHub.Platform.Hosting;

/// <summary>Serilog behind Microsoft.Extensions.Logging, and the REST APIs' JSON conventions, the same for every SiteHub process.</summary>
public static class SiteHubLogging
{
    /// <summary>
    /// Where the <c>Serilog</c> section's sinks, enrichers and formatters come from: the ones shipped
    /// with SiteHub. Named, because without a list Serilog reads the metadata of every DLL in the
    /// application's folder to find them at start-up (~2 MiB resident for the metadata reader alone).
    /// </summary>
    private static readonly Serilog.Settings.Configuration.ConfigurationReaderOptions ConfigurableSinks = new(
        typeof(ConsoleLoggerConfigurationExtensions).Assembly,
        typeof(FileLoggerConfigurationExtensions).Assembly,
        typeof(Serilog.Formatting.Compact.CompactJsonFormatter).Assembly);

    /// <summary>Console logging with the component name in every line; levels from the <c>Serilog</c> section.</summary>
    public static IHostApplicationBuilder AddSiteHubLogging(this IHostApplicationBuilder builder, string component)
    {
        // Defaults first: the Serilog section (e.g. --Serilog:MinimumLevel:Default=Warning) overrides them.
        builder.Services.AddSerilog((services, configuration) => configuration
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .ReadFrom.Configuration(builder.Configuration, ConfigurableSinks)
            .Enrich.WithProperty("Component", component)
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3} {Component}] {Message:lj}{NewLine}{Exception}"));
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
            options.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
        });
        return builder;
    }
}
