using Microsoft.Extensions.Options;

namespace SiteHub.Hub.Alerts;

/// <summary>
/// Feeds committed punches to the live rules, in commit order. A batch that fails (the alert
/// store cannot be written) is logged and not retried: the rules have taken it in already, and
/// the next tick writes the alerts it changed.
/// </summary>
public sealed partial class PunchRulesWorker(LiveReconciler live, ILogger<PunchRulesWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var batch in live.Queue.ReadAllAsync(stoppingToken))
            {
                try
                {
                    live.AddQueuedPunches(batch);
                }
                catch (Exception ex)
                {
                    LogFailed(ex, batch.Count);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutdown
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The live rules could not record the alerts of {Count} punches; the next tick retries")]
    private partial void LogFailed(Exception exception, int count);
}

/// <summary>
/// Moves the live rules with the clock every <see cref="AlertsOptions.TickInterval"/> (from the
/// hub's <see cref="TimeProvider"/>, so tests drive it with a fake clock). A failed tick is
/// logged and the next one tries again after a jittered delay.
/// </summary>
public sealed partial class RulesClock(LiveReconciler live, TimeProvider clock, IOptions<AlertsOptions> options, ILogger<RulesClock> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.TickInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    live.Tick();
                }
                catch (Exception ex)
                {
                    LogFailed(ex);
                    await Task.Delay(TimeSpan.FromMilliseconds(500 + Random.Shared.Next(1000)), clock, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutdown
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A tick of the live rules failed; the next tick tries again")]
    private partial void LogFailed(Exception exception);
}
