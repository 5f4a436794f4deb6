using System.Text.Json;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using SiteHub.Hub.CentralBroker;
using SiteHub.Hub.Configuration;
using SiteHub.Hub.Registry;
using SiteHub.Protocols;
using SiteHub.Protocols.Punches;

namespace SiteHub.Hub.Rosters;

/// <summary>
/// Publishes each site's roster to its gateway, retained on <c>sitehub/v1/sites/{siteId}/roster</c>,
/// at start-up, after every registry change and at each day's start (people start and end). A
/// roster is sent again only when its version (a hash of its content) changed. The gateway enrols
/// the people on its terminals.
/// </summary>
/// <remarks>A failed publish is logged and retried at the next change or check (every minute).</remarks>
public sealed partial class RosterPublisher(
    RegistryStore registry,
    ICentralBrokerPublisher broker,
    IOptions<HubOptions> options,
    TimeProvider clock,
    ILogger<RosterPublisher> logger) : BackgroundService
{
    private readonly Dictionary<string, string> _published = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        registry.Changed += () =>
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        };
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone).DateTime);
                foreach (var (site, roster) in SiteRosters.Build(registry.AllProjects(), registry.AllWorkers(), today))
                {
                    if (_published.GetValueOrDefault(site) == roster.Version)
                    {
                        continue;
                    }

                    // Stored before imports checked site ids: one bad id must not stop every other site's roster.
                    if (!TopicSafeId.IsValid(site))
                    {
                        LogBadSite(site);
                        _published[site] = roster.Version;
                        continue;
                    }

                    await broker.PublishAsync(
                        new MqttApplicationMessageBuilder()
                            .WithTopic(UplinkTopics.Roster(site))
                            .WithPayload(JsonSerializer.SerializeToUtf8Bytes(roster, ProtocolsJsonContext.Default.SiteRoster))
                            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                            .WithRetainFlag()
                            .Build(),
                        stoppingToken);
                    _published[site] = roster.Version;
                    LogPublished(site, roster.Workers.Count, roster.Version);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex);
            }

            try
            {
                await _wake.WaitAsync(TimeSpan.FromMinutes(1), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published the roster of {SiteId}: {Workers} workers, version {Version}")]
    private partial void LogPublished(string siteId, int workers, string version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing site rosters failed; retrying at the next change or in a minute")]
    private partial void LogFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not publishing the roster of site '{SiteId}': not a valid site id (letters, digits, '-', '_', '.'); fix the project's site_id")]
    private partial void LogBadSite(string siteId);
}

/// <summary>Site rosters for the gateways.</summary>
public static class RostersFeature
{
    public static IHostApplicationBuilder AddRosterPublishing(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<RosterPublisher>();
        return builder;
    }
}
