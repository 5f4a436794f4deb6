using System.Threading.Channels;
using SiteHub.Hub.Registry;
using SiteHub.Protocols.Uplink;

namespace SiteHub.Hub.Alerts;

/// <summary>
/// Turns refused topic attempts into <c>TOPIC_VIOLATION</c> alerts: the central broker reports each
/// attempt of a gateway, the uplink the running totals of devices a gateway refused. Reports are
/// summed in memory per client (bounded by the number of clients, however fast one tries) and
/// written by this worker in one transaction per wake-up, so a flood of attempts costs a few
/// writes, not one forced commit each, and the broker's intercepts never wait for the disk.
/// </summary>
/// <remarks>
/// If a write fails, the reports are merged back and written with the next ones after a short,
/// jittered pause: counts are late, not lost (within the process; a crash loses what was not yet
/// written, as the attempts were refused anyway and logged).
/// </remarks>
public sealed partial class TopicViolations(AlertStore alerts, TimeProvider clock, ILogger<TopicViolations> logger) : BackgroundService
{
    /// <summary>Longest client id or topic kept (they are the client's own text).</summary>
    public const int MaxTextLength = 200;

    private readonly Lock _gate = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private Dictionary<(string Source, string Site, string Client), List<TopicViolationReport>> _pending = [];

    /// <summary>One refused publish or subscription of a gateway at the hub's broker.</summary>
    public void ReportGateway(string siteId, string clientId, string action, string topic) =>
        Add(new TopicViolationReport(Clean(siteId), Clean(clientId), "gateway", action, Clean(topic), 1));

    /// <summary>The running totals of devices a gateway's site broker refused (from its status).</summary>
    public void ReportDevices(string siteId, IReadOnlyList<DeviceTopicViolation>? violations)
    {
        foreach (var v in violations ?? [])
        {
            if (v is { Sn: not null, Count: > 0 })
            {
                Add(new TopicViolationReport(Clean(siteId), Clean(v.Sn), "device", v.Action == "subscribe" ? "subscribe" : "publish", Clean(v.Topic ?? ""), v.Count, v.CountedSince));
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _wake.Reader.WaitToReadAsync(stoppingToken))
            {
                _wake.Reader.TryRead(out _);
                List<TopicViolationReport> batch;
                lock (_gate)
                {
                    batch = [.. _pending.Values.SelectMany(r => r)];
                    _pending = [];
                }

                try
                {
                    foreach (var written in alerts.RecordViolations(batch))
                    {
                        LogRecorded(written.Id, written.Detail);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogWriteFailed(ex, batch.Count);
                    foreach (var report in batch)
                    {
                        Add(report);
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(500 + Random.Shared.Next(1000)), clock, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    private void Add(TopicViolationReport report)
    {
        lock (_gate)
        {
            // Per client: new attempts summed; running totals, the latest of each run (a gateway
            // restarted between two writes brings a second run, whose total must not replace the first's).
            var key = (report.Source, report.SiteId, report.Client);
            if (!_pending.TryGetValue(key, out var reports))
            {
                _pending[key] = reports = [];
            }

            var same = reports.FindIndex(r => r.CountedSince == report.CountedSince);
            if (same < 0)
            {
                reports.Add(report);
            }
            else
            {
                var earlier = reports[same];
                reports[same] = report.CountedSince is null ? report with { Count = earlier.Count + report.Count }
                    : report.Count >= earlier.Count ? report
                    : earlier; // an older total arriving late
            }
        }

        _wake.Writer.TryWrite(true);
    }

    // Topics and client ids are the client's own text: short, without control characters, numbers masked.
    private static string Clean(string text)
    {
        var clean = new string([.. text.Where(c => !char.IsControl(c))]);
        clean = clean.Length <= MaxTextLength ? clean : clean[..MaxTextLength] + "…";
        return NumberScrubber.Scrub(clean) ?? "";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Security alert {AlertId} TOPIC_VIOLATION: {Detail}")]
    private partial void LogRecorded(long alertId, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record {Reports} topic violation report(s); retrying with the next ones")]
    private partial void LogWriteFailed(Exception ex, int reports);
}
