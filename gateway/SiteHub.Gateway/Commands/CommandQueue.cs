using LiteDB;
using Microsoft.Extensions.Options;
using SiteHub.Gateway.Configuration;
using SiteHub.Gateway.Ingest;
using SiteHub.Platform.Storage;

namespace SiteHub.Gateway.Commands;

/// <summary>
/// The durable per-device command queue in <c>commands.db</c>. Every state change is committed
/// and synced before the call returns: a command the API accepted survives a crash, and a
/// command handed to a device is marked sent before it leaves (at worst it is sent twice, which
/// every operation tolerates: they are idempotent on the devices).
/// </summary>
public sealed partial class CommandQueue : ICommandResultSink, IDisposable
{
    private readonly DurableLiteDatabase _db;
    private readonly ILiteCollection<DeviceCommandRecord> _commands;
    private readonly TimeProvider _clock;
    private readonly CommandOptions _options;
    private readonly ILogger<CommandQueue> _logger;
    private readonly Lock _lock = new();
    private long _lastId;

    public CommandQueue(IOptions<GatewayOptions> gateway, IOptions<CommandOptions> options, TimeProvider clock, ILogger<CommandQueue> logger)
    {
        _clock = clock;
        _options = options.Value;
        _logger = logger;
        _db = CaseInsensitiveKeys.Open(Path.Combine(gateway.Value.DataPath, "commands.db"), logger);
        _commands = _db.Database.GetCollection<DeviceCommandRecord>("commands");
        _commands.EnsureIndex(c => c.Sn);
        _lastId = _commands.Query().OrderByDescending(c => c.Id).Limit(1).FirstOrDefault()?.Id ?? 0;
    }

    /// <summary>Raised after a command reached <see cref="CommandState.Done"/> or <see cref="CommandState.Failed"/>.</summary>
    public event Action<DeviceCommandRecord>? Completed;

    /// <summary>Raised after a command was queued (the dispatcher wakes up).</summary>
    public event Action<DeviceCommandRecord>? Enqueued;

    public DeviceCommandRecord Enqueue(string sn, string op, IReadOnlyDictionary<string, string>? args, string origin)
    {
        DeviceCommandRecord record;
        lock (_lock)
        {
            record = new DeviceCommandRecord
            {
                Id = ++_lastId,
                Sn = sn,
                Op = op,
                Args = args is null ? [] : new Dictionary<string, string>(args, StringComparer.Ordinal),
                State = CommandState.Queued,
                Origin = origin,
                CreatedAt = _clock.GetUtcNow(),
            };
            _db.WriteDurably(() => _commands.Insert(record));
        }

        LogQueued(record.Id, op, sn, origin);
        Enqueued?.Invoke(record);
        return record;
    }

    /// <summary>A device's commands, newest first.</summary>
    public IReadOnlyList<DeviceCommandRecord> ForDevice(string sn, int limit = 200)
    {
        lock (_lock)
        {
            return _commands.Find(c => c.Sn == sn).OrderByDescending(c => c.Id).Take(limit).ToList();
        }
    }

    /// <summary>A device's queued and sent commands, oldest first.</summary>
    public IReadOnlyList<DeviceCommandRecord> Open(string sn)
    {
        lock (_lock)
        {
            return _commands.Find(c => c.Sn == sn && (c.State == CommandState.Queued || c.State == CommandState.Sent)).OrderBy(c => c.Id).ToList();
        }
    }

    public DeviceCommandRecord? Find(long id)
    {
        lock (_lock)
        {
            return _commands.FindById(id);
        }
    }

    /// <summary>Serials with open commands (for the dispatcher).</summary>
    public IReadOnlyCollection<string> DevicesWithOpenCommands()
    {
        lock (_lock)
        {
            return _commands.Find(c => c.State == CommandState.Queued || c.State == CommandState.Sent).Select(c => c.Sn).ToHashSet(StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// The commands to hand to <paramref name="sn"/> now: queued ones, and sent ones whose result
    /// is overdue. They are marked sent (attempt counted) durably before they are returned; one
    /// overdue past <c>Commands:MaxAttempts</c> is marked failed instead.
    /// </summary>
    public IReadOnlyList<DeviceCommandRecord> TakeDeliverable(string sn, int limit = 50)
    {
        var now = _clock.GetUtcNow();
        var taken = new List<DeviceCommandRecord>();
        var failed = new List<DeviceCommandRecord>();
        lock (_lock)
        {
            var open = _commands.Find(c => c.Sn == sn && (c.State == CommandState.Queued || c.State == CommandState.Sent)).OrderBy(c => c.Id).ToList();
            _db.WriteDurably(() =>
            {
                foreach (var command in open)
                {
                    if (taken.Count >= limit)
                    {
                        break;
                    }

                    if (command.State == CommandState.Sent && command.SentAt + _options.ResendAfter > now)
                    {
                        continue;
                    }

                    if (command.Attempts >= _options.MaxAttempts)
                    {
                        var gaveUp = command with { State = CommandState.Failed, CompletedAt = now, Error = $"no result after {command.Attempts} attempts" };
                        _commands.Update(gaveUp);
                        failed.Add(gaveUp);
                        continue;
                    }

                    var sent = command with { State = CommandState.Sent, SentAt = now, Attempts = command.Attempts + 1 };
                    _commands.Update(sent);
                    taken.Add(sent);
                }
            });
        }

        foreach (var command in failed)
        {
            LogCompleted(command.Id, command.Op, command.Sn, command.State, command.Error);
            Completed?.Invoke(command);
        }

        return taken;
    }

    /// <summary>
    /// Puts a sent command back to queued because it never reached the device (unreachable):
    /// the attempt is not counted, so a terminal offline for days still gets it when it is back.
    /// </summary>
    public void Requeue(long id, string reason)
    {
        lock (_lock)
        {
            if (_commands.FindById(id) is { State: CommandState.Sent } command)
            {
                _db.WriteDurably(() => _commands.Update(command with { State = CommandState.Queued, Error = reason, Attempts = Math.Max(0, command.Attempts - 1) }));
            }
        }
    }

    /// <summary>Notes on a queued command why it is not being delivered (it stays queued).</summary>
    public void NoteUndelivered(long id, string reason)
    {
        lock (_lock)
        {
            if (_commands.FindById(id) is { State: CommandState.Queued } command && command.Error != reason)
            {
                _db.WriteDurably(() => _commands.Update(command with { Error = reason }));
            }
        }
    }

    /// <summary>Records a device's result. False when the id is not an open command of that device.</summary>
    public bool Complete(string sn, long commandId, bool ok, string? error)
    {
        DeviceCommandRecord? done;
        lock (_lock)
        {
            var command = _commands.FindById(commandId);
            if (command is null || command.Sn != sn || !command.IsOpen)
            {
                return false;
            }

            done = command with { State = ok ? CommandState.Done : CommandState.Failed, CompletedAt = _clock.GetUtcNow(), Error = ok ? null : error ?? "the device reported failure" };
            _db.WriteDurably(() => _commands.Update(done));
        }

        LogCompleted(done.Id, done.Op, sn, done.State, done.Error);
        Completed?.Invoke(done);
        return true;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _db.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Queued command {CommandId} {Op} for {DeviceSn} ({Origin})")]
    private partial void LogQueued(long commandId, string op, string deviceSn, string origin);

    [LoggerMessage(Level = LogLevel.Information, Message = "Command {CommandId} {Op} on {DeviceSn}: {State} {Error}")]
    private partial void LogCompleted(long commandId, string op, string deviceSn, CommandState state, string? error);
}
