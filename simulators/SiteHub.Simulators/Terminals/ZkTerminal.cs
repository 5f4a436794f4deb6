using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.ZkAdms;

namespace SiteHub.Simulators.Terminals;

/// <summary>
/// A simulated ZKTeco attendance terminal speaking the ADMS push protocol over HTTP, with the
/// request shapes of real firmware (PUSH SDK doc 4.8): a handshake
/// <c>GET /iclock/cdata?SN=…&amp;options=all</c>, then <c>POST /iclock/cdata?SN=…&amp;table=ATTLOG&amp;Stamp=…</c>
/// uploads retried until the server answers <c>OK: n</c> for all of them, and
/// <c>GET /iclock/getrequest</c> polls whose commands it carries out and answers on
/// <c>POST /iclock/devicecmd</c>. Records stay in the terminal until acknowledged; records at or
/// below the server's <c>ATTLOGStamp</c> are the ones it already has.
/// </summary>
public sealed class ZkTerminal : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _utcOffset;
    private readonly List<(long Stamp, DevicePunch Punch)> _records = [];
    private readonly ConcurrentDictionary<string, byte> _acked = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private Task? _loop;
    private long _stamp;
    private long _serverStamp = -1;
    private bool _handshaken;

    /// <param name="sn">The terminal's serial.</param>
    /// <param name="server">The gateway's HTTP base address (what is typed into the terminal's ADMS menu).</param>
    /// <param name="utcOffset">The time zone the terminal's clock keeps.</param>
    /// <param name="clock">The terminal's clock.</param>
    public ZkTerminal(string sn, Uri server, TimeSpan? utcOffset = null, TimeProvider? clock = null)
    {
        Sn = sn;
        _clock = clock ?? TimeProvider.System;
        _utcOffset = utcOffset ?? TimeSpan.FromHours(8);
        _http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(10) };
    }

    public string Sn { get; }

    /// <summary>How often the terminal polls <c>getrequest</c> and retries uploads (the server's <c>Delay</c> is far longer; tests want speed).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>When false the terminal keeps recording but does not talk to the server (cable cut).</summary>
    public bool Online { get; set; } = true;

    /// <summary>Records in one upload.</summary>
    public int MaxBatch { get; set; } = 100;

    /// <summary>Stop after the handshake (tests restart the gateway between handshake and upload).</summary>
    public bool HoldUploads { get; set; }

    /// <summary>People enrolled on the terminal: PIN → name.</summary>
    public ConcurrentDictionary<string, string> Enrolled { get; } = new(StringComparer.Ordinal);

    /// <summary>Event ids the server acknowledged with <c>OK: n</c>.</summary>
    public IReadOnlyCollection<string> Acked => _acked.Keys.ToList();

    public int Cached
    {
        get
        {
            lock (_lock)
            {
                return _records.Count;
            }
        }
    }

    public bool Handshaken => Volatile.Read(ref _handshaken);

    /// <summary>The ATTLOGStamp of the last handshake (-1: none yet, 0: "None").</summary>
    public long ServerStamp => Interlocked.Read(ref _serverStamp);

    /// <summary>Commands executed, as their text.</summary>
    public ConcurrentQueue<string> Executed { get; } = new();

    /// <summary>HTTP statuses of refused requests (401 unknown device…).</summary>
    public ConcurrentQueue<int> Refusals { get; } = new();

    /// <summary>Added to the real clock: a terminal whose clock drifted.</summary>
    public TimeSpan ClockSkew { get; set; }

    private DateTimeOffset LocalNow => (_clock.GetUtcNow() + ClockSkew).ToOffset(_utcOffset);

    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Records a punch (whole seconds: the ATTLOG line has no fraction).</summary>
    public DevicePunch Punch(string person, Direction direction, DateTimeOffset? at = null, VerifyMode mode = VerifyMode.Face)
    {
        var time = at ?? LocalNow;
        time = new DateTimeOffset(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), time.Offset).ToOffset(_utcOffset);
        var punch = new DevicePunch(Sn, null, person, time, direction, mode);
        lock (_lock)
        {
            _records.Add((++_stamp, punch));
        }

        return punch;
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var backoff = PollInterval;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (Online)
                {
                    if (!Handshaken)
                    {
                        await HandshakeAsync(stop);
                    }

                    if (!HoldUploads)
                    {
                        await UploadAsync(stop);
                    }

                    await PollCommandsAsync(stop);
                }

                backoff = PollInterval;
                await Task.Delay(PollInterval, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // Like the firmware: keep the records, wait ErrorDelay (here: a short backoff), try again.
                await Task.Delay(backoff, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 2000));
            }
        }
    }

    /// <summary>The handshake: learns which records the server already committed.</summary>
    public async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"/iclock/cdata?SN={Sn}&options=all&pushver=2.4.1&language=69", cancellationToken);
        await EnsureOkAsync(response, cancellationToken);
        var reply = ZkServer.ParseHandshakeReply(await response.Content.ReadAsStringAsync(cancellationToken));
        var stamp = reply.Options.GetValueOrDefault("ATTLOGStamp");
        var serverStamp = long.TryParse(stamp, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
        lock (_lock)
        {
            // Records the server says it has are not sent again.
            _records.RemoveAll(r => r.Stamp <= serverStamp);
        }

        Interlocked.Exchange(ref _serverStamp, serverStamp);
        Volatile.Write(ref _handshaken, true);
    }

    private async Task UploadAsync(CancellationToken stop)
    {
        while (Online)
        {
            List<(long Stamp, DevicePunch Punch)> batch;
            lock (_lock)
            {
                batch = _records.Take(MaxBatch).ToList();
            }

            if (batch.Count == 0)
            {
                return;
            }

            using var content = new ByteArrayContent(ZkAttlog.Encode(batch.Select(b => b.Punch)));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain");
            using var response = await _http.PostAsync($"/iclock/cdata?SN={Sn}&table=ATTLOG&Stamp={batch[^1].Stamp}", content, stop);
            await EnsureOkAsync(response, stop);
            var reply = await response.Content.ReadAsStringAsync(stop);
            if (!ZkServer.TryParseUploadReply(reply, out var count) || count != batch.Count)
            {
                throw new InvalidOperationException($"{Sn}: upload answered '{reply}', expected OK: {batch.Count}");
            }

            lock (_lock)
            {
                _records.RemoveAll(r => r.Stamp <= batch[^1].Stamp);
            }

            foreach (var (_, punch) in batch)
            {
                _acked[punch.EventId] = 0;
            }
        }
    }

    private async Task PollCommandsAsync(CancellationToken stop)
    {
        var info = string.Create(CultureInfo.InvariantCulture, $"Ver 8.0.4-sim,{Enrolled.Count},0,{Cached},127.0.0.1,10,7,15");
        using var response = await _http.GetAsync($"/iclock/getrequest?SN={Sn}&INFO={Uri.EscapeDataString(info)}", stop);
        await EnsureOkAsync(response, stop);
        var body = await response.Content.ReadAsStringAsync(stop);
        var results = new StringBuilder();
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!ZkCommands.TryParse(line, out var command))
            {
                continue;
            }

            var code = Execute(command);
            Executed.Enqueue(command.Text);
            results.Append(ZkCommands.ResultLine(command.Id, code, command.ResultName)).Append('\n');
        }

        if (results.Length > 0)
        {
            using var content = new StringContent(results.ToString(), Encoding.UTF8, "text/plain");
            using var reply = await _http.PostAsync($"/iclock/devicecmd?SN={Sn}", content, stop);
            await EnsureOkAsync(reply, stop);
        }
    }

    private int Execute(ZkCommand command)
    {
        switch (command.Kind)
        {
            case ZkCommandKind.UpsertUser when command.Fields.TryGetValue("PIN", out var pin):
                Enrolled[pin] = command.Fields.GetValueOrDefault("Name") ?? "";
                return 0;
            case ZkCommandKind.DeleteUser when command.Fields.TryGetValue("PIN", out var pin):
                Enrolled.TryRemove(pin, out _);
                return 0;
            case ZkCommandKind.SetTime:
                ClockSkew = TimeSpan.Zero;
                return 0;
            case ZkCommandKind.Reboot:
                Volatile.Write(ref _handshaken, false);
                return 0;
            case ZkCommandKind.OpenDoor or ZkCommandKind.Unlock:
                return 0;
            default:
                return -1002; // "unsupported command" on real firmware
        }
    }

    private async Task EnsureOkAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            Refusals.Enqueue((int)response.StatusCode);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException($"{Sn}: {(int)response.StatusCode} {text.Trim()}");
        }
    }

    /// <summary>Waits until every record is acknowledged or the timeout passes.</summary>
    public Task<bool> WaitDrainedAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        TerminalCache.WaitDrainedAsync(() => Cached, timeout, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _http.Dispose();
        _stop.Dispose();
    }
}
