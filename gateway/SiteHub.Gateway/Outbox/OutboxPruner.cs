using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace SiteHub.Gateway.Outbox;

/// <summary>The <c>Outbox</c> section: how long delivered punches stay at the gateway.</summary>
public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>Delivered punches are kept this long (for the recent-punches view and investigations), then deleted. Default 7 days.</summary>
    public TimeSpan RetainDelivered { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often old delivered punches are pruned. Default 1 h.</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Most punches deleted in one commit (pruning goes on in further commits). Default 20000.</summary>
    [Range(100, 1_000_000, ErrorMessage = "Outbox:PruneBatch must be 100-1000000")]
    public int PruneBatch { get; set; } = 20_000;
}

/// <summary>
/// Keeps the outbox bounded: delivered punches older than <c>Outbox:RetainDelivered</c> are deleted
/// in commits of <c>Outbox:PruneBatch</c>, between the punch commits on the same writer thread, so
/// LiteDB reuses their pages and its log is checkpointed as usual. Pending punches are never touched.
/// </summary>
/// <remarks>A failed prune is logged and tried again at the next interval.</remarks>
public sealed partial class OutboxPruner(OutboxStore outbox, IOptions<OutboxOptions> options, TimeProvider clock, ILogger<OutboxPruner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.PruneInterval, clock);
        do
        {
            try
            {
                int pruned;
                var total = 0;
                do
                {
                    pruned = await outbox.PruneDeliveredAsync(clock.GetUtcNow() - settings.RetainDelivered, settings.PruneBatch, stoppingToken);
                    total += pruned;
                }
                while (pruned >= settings.PruneBatch);

                if (total > 0)
                {
                    LogPruned(total);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Count} delivered punches from the outbox")]
    private partial void LogPruned(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pruning the outbox failed; trying again at the next interval")]
    private partial void LogFailed(Exception ex);
}
