using System.Text;
using InfluxDB.Client;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Writes;
using Microsoft.Extensions.Options;
using SiteHub.Hub.Configuration;
using SiteHub.Hub.Gateways;
using SiteHub.Hub.Headcount;
using SiteHub.Hub.Ingest;

namespace SiteHub.Hub.Influx;

/// <summary>How far behind the InfluxDB sink is.</summary>
public sealed record InfluxSinkState(bool Enabled, bool Healthy, long Cursor, long Lag, string? LastError, DateTimeOffset? LastWriteAt);

/// <summary>
/// Streams what the hub committed into InfluxDB, on its own: it follows the punch store by
/// sequence from a persisted cursor, so an InfluxDB outage never blocks ingest or acks, and when
/// the server is back the sink catches up from where it stopped, across hub restarts too.
/// Writes are idempotent: a point's timestamp is the punch's instant to the millisecond plus a
/// sub-millisecond part taken from its event id (<see cref="PunchLines.TimestampNanos"/>), so a
/// rewrite after a crash overwrites itself and two people at one gate in the same millisecond stay two points.
/// </summary>
/// <remarks>
/// Schema: <c>punch</c> (tags site, gate, device, direction, mode; fields count, temperature;
/// the worker id is deliberately not a tag: unbounded cardinality and personal data),
/// <c>headcount</c> (tag site; field on_site) on change and every minute, <c>gateway</c>
/// (tag site; fields backlog, connected, devices_online, devices_offline) every minute.
/// A failed write is logged and retried with a doubling delay up to 30 s.
/// </remarks>
public sealed partial class InfluxSink(
    PunchStore store,
    HeadcountTracker headcount,
    GatewayDirectory gateways,
    IOptions<InfluxOptions> options,
    TimeProvider clock,
    ILogger<InfluxSink> logger) : BackgroundService
{
    private const string CursorName = "influx";
    private readonly InfluxOptions _options = options.Value;
    private readonly SemaphoreSlim _wake = new(0);
    private long _cursor;
    private DateTimeOffset _lastPeriodic;

    // The request's line protocol, reused from write to write (the sink writes one batch at a time).
    private readonly StringBuilder _text = new();

    /// <summary>The sink's state now.</summary>
    public InfluxSinkState State => new(_options.Enabled, LastError is null, _cursor, Math.Max(0, store.LastSeq - _cursor), LastError, LastWriteAt);

    private string? LastError { get; set; }

    private DateTimeOffset? LastWriteAt { get; set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        using var client = new InfluxDBClient(new InfluxDBClientOptions(_options.Url) { Token = _options.Token ?? "", Org = _options.Org, Bucket = _options.Bucket });
        client.EnableGzip();
        var writer = client.GetWriteApiAsync();
        store.Committed += _ => Wake();
        _cursor = store.GetCursor(CursorName);
        var delay = _options.RetryDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var written = await WriteNextAsync(writer, stoppingToken);
                if (LastError is not null)
                {
                    LogRecovered(_cursor);
                }

                LastError = null;
                delay = _options.RetryDelay;
                if (!written)
                {
                    await _wake.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                if (LastError is null)
                {
                    LogWriteFailed(ex.Message, Math.Max(0, store.LastSeq - _cursor));
                }

                LastError = ex.Message;
                await Task.Delay(delay + TimeSpan.FromMilliseconds(Random.Shared.Next(100)), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    private async Task<bool> WriteNextAsync(WriteApiAsync writer, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var punches = store.ReadAfter(_cursor, _options.BatchSize);
        _text.Clear();
        foreach (var stored in punches)
        {
            PunchLines.Append(_text, stored.Punch);
            _text.Append('\n');
        }

        // One request, so one precision (ns) for every line; these points keep the millisecond
        // timestamps they always had. A few a write: the library's points are cheap enough here.
        var at = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
        var periodic = now - _lastPeriodic >= TimeSpan.FromMinutes(1);
        var sites = periodic ? headcount.Sites : punches.Select(p => p.Punch.SiteId).Distinct(StringComparer.Ordinal).ToList();
        foreach (var site in sites)
        {
            AppendLine(PointData.Measurement("headcount").Tag("site", site).Field("on_site", headcount.Of(site).OnSite).Timestamp(at, WritePrecision.Ns));
        }

        if (periodic)
        {
            foreach (var gateway in gateways.All)
            {
                AppendLine(PointData.Measurement("gateway").Tag("site", gateway.SiteId)
                    .Field("backlog", gateway.Status?.Backlog ?? 0)
                    .Field("connected", gateway.Connected)
                    .Field("devices_online", gateway.Status?.DevicesOnline ?? 0)
                    .Field("devices_offline", gateway.Status?.DevicesOffline ?? 0)
                    .Timestamp(at, WritePrecision.Ns));
            }
        }

        if (_text.Length == 0)
        {
            return false;
        }

        await writer.WriteRecordAsync(_text.ToString(0, _text.Length - 1), WritePrecision.Ns, _options.Bucket, _options.Org, cancellationToken);
        LastWriteAt = now;
        if (periodic)
        {
            _lastPeriodic = now;
        }

        if (punches.Count > 0)
        {
            _cursor = punches[^1].Seq;
            store.SetCursor(CursorName, _cursor);
        }

        return punches.Count > 0;
    }

    private void AppendLine(PointData point) => _text.Append(point.ToLineProtocol()).Append('\n');

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "InfluxDB write failed ({Reason}); ingest goes on, {Lag} punches wait for the sink")]
    private partial void LogWriteFailed(string reason, long lag);

    [LoggerMessage(Level = LogLevel.Information, Message = "InfluxDB writes resumed at punch {Cursor}")]
    private partial void LogRecovered(long cursor);
}
