using System.Globalization;
using Microsoft.Extensions.Options;
using SiteHub.Gateway.DeviceEvents;
using SiteHub.Gateway.Devices;
using SiteHub.Gateway.Ingest;
using SiteHub.Protocols.Devices;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.Turnstile;

namespace SiteHub.Gateway.Turnstiles;

/// <summary>The <c>Turnstiles</c> section: fusing passages with verifications.</summary>
public sealed class TurnstileOptions
{
    public const string Section = "Turnstiles";

    /// <summary>How long after a verification its passage may come. Default 10 s.</summary>
    public TimeSpan Window { get; set; } = TailgatingDetector.DefaultWindow;

    /// <summary>How far apart the terminal's and the turnstile's clocks may be. Default 2 s.</summary>
    public TimeSpan ClockTolerance { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often pending items are judged. Default 1 s.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Most items held per gate; the oldest are judged early past this. Default 10000.</summary>
    public int MaxPendingPerGate { get; set; } = 10_000;
}

/// <summary>
/// Holds each turnstile gate's recent verifications and passages and judges them with
/// <see cref="TailgatingDetector"/> on a clock tick: a passage without a verification before it
/// is a <c>tailgating</c> device event; a verification no passage followed stays a punch (it was
/// committed on arrival) and is flagged with a <c>no-passage</c> device event.
/// </summary>
/// <remarks>
/// The pending items live in memory only: a gateway crash forgets at most one window of them, so a
/// tailgater in those seconds may go unflagged. Punches are never at risk: they were committed
/// before anything reached this class. Only gates with a registered <c>turnstile-v1</c> device
/// collect verifications.
/// </remarks>
public sealed partial class GateFusion(
    DeviceRegistry registry,
    DeviceEventStore events,
    IOptions<TurnstileOptions> options,
    TimeProvider clock,
    ILogger<GateFusion> logger) : IDeviceEventsHandler, IPunchObserver
{
    private readonly TurnstileOptions _options = options.Value;
    private readonly Dictionary<string, GateItems> _gates = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public string Protocol => TurnstileV1Codec.ProtocolId;

    /// <summary>A passage from a turnstile controller (<c>devices/{sn}/events</c>).</summary>
    public Task<IngestOutcome> HandleAsync(DeviceIngest ingest, DeviceRecord device, string source, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var passage = TurnstileV1Codec.Decode(payload.Span, device.Sn);
        lock (_lock)
        {
            Items(GateOf(device)).Passages.Add(passage);
        }

        registry.Touch(device.Sn);
        return Task.FromResult(IngestOutcome.Applied);
    }

    public void OnCommitted(DeviceRecord device, IReadOnlyList<DevicePunch> punches)
    {
        if (device.Protocol == TurnstileV1Codec.ProtocolId || device.Gate is null || !HasTurnstile(device.Gate))
        {
            return;
        }

        lock (_lock)
        {
            Items(device.Gate).Verifications.AddRange(punches);
        }
    }

    /// <summary>Judges every gate as of <paramref name="now"/>; records tailgating and no-passage events.</summary>
    public void Evaluate(DateTimeOffset now)
    {
        var found = new List<DeviceEvent>();
        lock (_lock)
        {
            foreach (var (gate, items) in _gates)
            {
                // Over the cap, judge as if time had moved on: flagging early beats unbounded memory.
                var asOf = items.Verifications.Count + items.Passages.Count > _options.MaxPendingPerGate ? DateTimeOffset.MaxValue.AddYears(-1) : now;
                var result = TailgatingDetector.Fuse(items.Verifications, items.Passages, asOf, _options.Window, _options.ClockTolerance);
                found.AddRange(result.Tailgating.Select(p => p.ToTailgatingEvent()));
                found.AddRange(result.NoPassage.Select(v => new DeviceEvent(
                    v.Sn, DeviceEventType.Other, "no-passage",
                    string.Create(CultureInfo.InvariantCulture, $"{v.Person} verified at gate {gate} but no turnstile passage followed within {_options.Window.TotalSeconds:0} s; the punch is kept"),
                    v.Time, v.Person, v.Seq)));
                items.Verifications.Clear();
                items.Verifications.AddRange(result.PendingVerifications);
                items.Passages.Clear();
                items.Passages.AddRange(result.PendingPassages);
            }
        }

        foreach (var e in found)
        {
            if (events.Add(e))
            {
                LogFlagged(e.Sn, e.Code, e.Description);
            }
        }
    }

    /// <summary>Items waiting for judgement (for tests and status).</summary>
    public int PendingCount
    {
        get
        {
            lock (_lock)
            {
                return _gates.Values.Sum(g => g.Verifications.Count + g.Passages.Count);
            }
        }
    }

    private bool HasTurnstile(string gate) =>
        registry.Any(d => d.Protocol == TurnstileV1Codec.ProtocolId && GateOf(d) == gate);

    private static string GateOf(DeviceRecord device) => device.Gate ?? device.Sn;

    private GateItems Items(string gate)
    {
        if (!_gates.TryGetValue(gate, out var items))
        {
            _gates[gate] = items = new GateItems();
        }

        return items;
    }

    internal TimeSpan TickInterval => _options.TickInterval;

    internal TimeProvider Clock => clock;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gate event from {DeviceSn}: {Code}: {Description}")]
    private partial void LogFlagged(string deviceSn, string code, string description);

    private sealed class GateItems
    {
        public List<DevicePunch> Verifications { get; } = [];

        public List<TurnstilePassage> Passages { get; } = [];
    }
}

/// <summary>Drives <see cref="GateFusion.Evaluate"/> on the clock. A failed evaluation is logged and retried at the next tick.</summary>
public sealed partial class GateFusionTicker(GateFusion fusion, ILogger<GateFusionTicker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(fusion.TickInterval, fusion.Clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    fusion.Evaluate(fusion.Clock.GetUtcNow());
                }
                catch (Exception ex)
                {
                    LogFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Gate fusion failed; retrying at the next tick")]
    private partial void LogFailed(Exception ex);
}

/// <summary>Turnstile passages fused with verifications.</summary>
public static class TurnstilesFeature
{
    public static IHostApplicationBuilder AddTurnstiles(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TurnstileOptions>().BindConfiguration(TurnstileOptions.Section)
            .Validate(o => o.Window > TimeSpan.Zero, "Turnstiles:Window must be positive")
            .Validate(o => o.ClockTolerance >= TimeSpan.Zero, "Turnstiles:ClockTolerance must not be negative")
            .Validate(o => o.TickInterval > TimeSpan.Zero, "Turnstiles:TickInterval must be positive")
            .Validate(o => o.MaxPendingPerGate >= 10, "Turnstiles:MaxPendingPerGate must be at least 10")
            .ValidateOnStart();
        builder.Services.AddSingleton<GateFusion>();
        builder.Services.AddSingleton<IDeviceEventsHandler>(provider => provider.GetRequiredService<GateFusion>());
        builder.Services.AddSingleton<IPunchObserver>(provider => provider.GetRequiredService<GateFusion>());
        builder.Services.AddHostedService<GateFusionTicker>();
        return builder;
    }
}
