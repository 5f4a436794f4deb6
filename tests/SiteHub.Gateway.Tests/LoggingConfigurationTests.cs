using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SiteHub.Platform.Hosting;
using SiteHub.Testing;

namespace SiteHub.Gateway.Tests;

/// <summary>The <c>Serilog</c> section still reaches the sinks SiteHub ships now that they are named instead of searched for.</summary>
public sealed class LoggingConfigurationTests
{
    [Fact]
    public async Task A_file_sink_and_a_compact_JSON_formatter_named_in_the_Serilog_section_write_the_log()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "gateway.log");
        var builder = Host.CreateApplicationBuilder([
            "--Serilog:WriteTo:0:Name=File",
            $"--Serilog:WriteTo:0:Args:path={path}",
            "--Serilog:WriteTo:0:Args:formatter=Serilog.Formatting.Compact.CompactJsonFormatter, Serilog.Formatting.Compact",
        ]);
        builder.AddSiteHubLogging("gateway");
        using (var host = builder.Build())
        {
            host.Services.GetRequiredService<ILogger<LoggingConfigurationTests>>().LogWarning("written to {Where}", "the file");
            await host.StopAsync(TestContext.Current.CancellationToken);
        }

        // Disposing the host flushes the file sink.
        var line = Assert.Single(File.ReadAllLines(path), l => l.Contains("written to", StringComparison.Ordinal));
        Assert.Contains("\"Where\":\"the file\"", line, StringComparison.Ordinal);
    }
}
