using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using SiteHub.Gateway.Commands;
using SiteHub.Gateway.DeviceEvents;
using SiteHub.Gateway.Devices;
using SiteHub.Gateway.Enrolment;
using SiteHub.Gateway.Outbox;
using SiteHub.Gateway.Uplink;
using SiteHub.Platform.Mqtt;
using SiteHub.Platform.Web;
using SiteHub.Protocols;

namespace SiteHub.Gateway.WebUi;

/// <summary>
/// What the open pages see change, as server-sent events: <c>device</c>, <c>device-removed</c>,
/// <c>pending</c>, <c>command</c>, <c>punch</c> and <c>uplink</c>. Device, command and punch
/// changes are pushed when the registry, the command queue and the outbox raise them; the uplink
/// panel (every second), pending devices and commands in flight (which change state without an event) are sampled
/// every second and sent only when they differ.
/// </summary>
/// <remarks>The subscription, the bounded page buffers and the sampling loop are the shared <see cref="LiveEventFeed"/>'s.</remarks>
public sealed class LiveFeed : LiveEventFeed
{
    private const int RecentPunchCount = 50;
    private readonly Queue<PunchRow> _recent = new();
    private readonly Lock _recentLock = new();
    private readonly Dictionary<long, CommandState> _openCommands = [];
    private readonly Throughput _throughput = new(TimeSpan.FromMinutes(1));
    private readonly DeviceRegistry _registry;
    private readonly OutboxStore _outbox;
    private readonly CommandQueue _commands;
    private readonly UplinkService _uplink;
    private readonly RosterStore _roster;
    private readonly DeviceEventStore _events;
    private readonly TimeProvider _clock;
    private volatile Dictionary<string, string> _names = new Dictionary<string, string>(StringComparer.Ordinal);
    private volatile UplinkPanel? _lastUplink;
    private string _lastPending = "";

    public LiveFeed(DeviceRegistry registry, OutboxStore outbox, CommandQueue commands, UplinkService uplink, RosterStore roster, DeviceEventStore events, TimeProvider clock, ILogger<LiveFeed> logger)
        : base(clock, logger)
    {
        _registry = registry;
        _outbox = outbox;
        _commands = commands;
        _uplink = uplink;
        _roster = roster;
        _events = events;
        _clock = clock;
        registry.Changed += OnDeviceChanged;
        registry.Removed += OnDeviceRemoved;
        outbox.Committed += OnCommitted;
        commands.Enqueued += OnCommand;
        commands.Completed += OnCommand;
    }

    /// <summary>The devices table now.</summary>
    public IReadOnlyList<DeviceRow> Devices()
    {
        var skews = _events.Skews().ToDictionary(s => s.Sn, s => s.SkewMs, StringComparer.Ordinal);
        var roster = _roster.Roster().Count;
        return _registry.All.Select(d => DeviceRow.From(d, skews.TryGetValue(d.Sn, out var ms) ? ms : null, _roster.Enrolled(d.Sn).Count, roster)).ToList();
    }

    public IReadOnlyList<PendingRow> Pending() =>
        _registry.Pending.Select(p => new PendingRow(p.Sn, p.FirstSeen, p.LastSeen, p.Attempts, p.RemoteAddress)).ToList();

    public IReadOnlyList<PunchRow> RecentPunches()
    {
        lock (_recentLock)
        {
            return _recent.Reverse().ToList();
        }
    }

    public UplinkPanel Uplink() => _lastUplink ?? SampleUplink();

    // A page that just connected gets the uplink panel at once; the rest it loads itself.
    protected override SseItem<string> Greeting() => Item("uplink", JsonSerializer.Serialize(Uplink(), WebUiJsonContext.Default.UplinkPanel));

    protected override void Sample()
    {
        _names = _roster.Roster().ToDictionary(w => w.Id, w => w.Name, StringComparer.Ordinal);

        // The age of the oldest unsent punch grows every second: the panel is sent on every tick.
        _lastUplink = SampleUplink();
        Publish("uplink", JsonSerializer.Serialize(_lastUplink, WebUiJsonContext.Default.UplinkPanel));

        var pending = Pending();
        var pendingJson = JsonSerializer.Serialize(pending, WebUiJsonContext.Default.IReadOnlyListPendingRow);
        if (pendingJson != _lastPending)
        {
            _lastPending = pendingJson;
            Publish("pending", pendingJson);
        }

        SampleCommands();
    }

    private UplinkPanel SampleUplink()
    {
        var state = _uplink.State;
        var now = _clock.GetUtcNow();
        double perMinute;
        lock (_throughput)
        {
            perMinute = _throughput.Add(now, state.PunchesAcked);
        }

        return new UplinkPanel(
            state.Link == MqttLinkState.Connected, UplinkPanel.LinkName(state.Link), state.LastError, state.Backlog, state.OldestUnsentAt,
            state.OldestUnsentAt is { } oldest ? Math.Max(0, Math.Round((now - oldest).TotalSeconds)) : null,
            state.LastAckAt, state.PunchesAcked, perMinute);
    }

    private void SampleCommands()
    {
        var open = new HashSet<long>();
        foreach (var sn in _commands.DevicesWithOpenCommands())
        {
            foreach (var command in _commands.Open(sn))
            {
                open.Add(command.Id);
                if (!_openCommands.TryGetValue(command.Id, out var seen) || seen != command.State)
                {
                    _openCommands[command.Id] = command.State;
                    OnCommand(command);
                }
            }
        }

        foreach (var id in _openCommands.Keys.Where(id => !open.Contains(id)).ToList())
        {
            _openCommands.Remove(id);
            if (_commands.Find(id) is { } closed)
            {
                OnCommand(closed);
            }
        }
    }

    private void OnDeviceChanged(DeviceRecord device)
    {
        var skew = _events.Skews().FirstOrDefault(s => s.Sn == device.Sn)?.SkewMs;
        var row = DeviceRow.From(device, skew, _roster.Enrolled(device.Sn).Count, _names.Count);
        Publish("device", JsonSerializer.Serialize(row, WebUiJsonContext.Default.DeviceRow));
    }

    private void OnDeviceRemoved(DeviceRecord device) => Publish("device-removed", JsonSerializer.Serialize(device.Sn, WebUiJsonContext.Default.String));

    private void OnCommand(DeviceCommandRecord command) =>
        Publish("command", JsonSerializer.Serialize(CommandRow.From(command), WebUiJsonContext.Default.CommandRow));

    private void OnCommitted(IReadOnlyList<OutboxEntry> entries)
    {
        // Runs on the outbox's writer thread: only the newest few are decoded, the rest are not shown.
        var names = _names;
        foreach (var entry in entries.Skip(Math.Max(0, entries.Count - RecentPunchCount)))
        {
            var punch = JsonSerializer.Deserialize(entry.Json, ProtocolsJsonContext.Default.Punch);
            if (punch is null)
            {
                continue;
            }

            var row = PunchRow.From(punch, names.GetValueOrDefault(punch.PersonId));
            lock (_recentLock)
            {
                _recent.Enqueue(row);
                while (_recent.Count > RecentPunchCount)
                {
                    _recent.Dequeue();
                }
            }

            Publish("punch", JsonSerializer.Serialize(row, WebUiJsonContext.Default.PunchRow));
        }
    }

    private static SseItem<string> Item(string type, string json) => new(json, type);

    public override void Dispose()
    {
        _registry.Changed -= OnDeviceChanged;
        _registry.Removed -= OnDeviceRemoved;
        _outbox.Committed -= OnCommitted;
        _commands.Enqueued -= OnCommand;
        _commands.Completed -= OnCommand;
        base.Dispose();
    }

}
