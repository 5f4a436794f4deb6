using System.Collections.Concurrent;
using MQTTnet;
using MQTTnet.Protocol;
using SiteHub.Protocols;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.SiteHubV1;

namespace SiteHub.Simulators.Terminals;

/// <summary>
/// A simulated face terminal speaking <c>sitehub-v1</c>, behaving like the real ones: every punch
/// is kept in the terminal's own cache until the broker's PUBACK arrives; while the link is down
/// the cache grows, and after reconnecting it is flushed (in batches of up to 200 when it is
/// large). <see cref="Acked"/> is the ground truth the tests check the hub against.
/// </summary>
public sealed class FaceTerminal : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly ConcurrentQueue<DevicePunch> _cache = new();
    private readonly ConcurrentDictionary<string, byte> _acked = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _clock;
    private Task? _loop;
    private long _seq;
    private long _recorded;

    /// <param name="sn">The serial (also the MQTT user name and client id).</param>
    /// <param name="secret">The device secret registered at the gateway.</param>
    /// <param name="host">The site broker's host.</param>
    /// <param name="port">The site broker's port.</param>
    /// <param name="clock">The terminal's clock.</param>
    /// <param name="firstSeq">The terminal's next record number (terminals number their records).</param>
    public FaceTerminal(string sn, string secret, string host, int port, TimeProvider? clock = null, long firstSeq = 1)
    {
        Sn = sn;
        Secret = secret;
        Host = host;
        Port = port;
        _clock = clock ?? TimeProvider.System;
        _seq = firstSeq - 1;
        _client = new MqttClientFactory().CreateMqttClient();
        Commands = new DeviceCommandResponder(sn, _client);
        Commands.ClockSynced += () => ClockSkew = TimeSpan.Zero;
    }

    /// <summary>The terminal's command handling: enrolled people, commands carried out.</summary>
    public DeviceCommandResponder Commands { get; }

    public string Sn { get; }

    public string Secret { get; set; }

    public string Host { get; }

    public int Port { get; set; }

    /// <summary>Records a batch of up to this many cached punches are flushed in (1: one per message).</summary>
    public int MaxBatch { get; set; } = SiteHubV1Codec.MaxBatch;

    /// <summary>Added to the real clock in heartbeats: a terminal whose clock drifted (sync-time resets it).</summary>
    public TimeSpan ClockSkew { get; set; }

    /// <summary>When false the terminal keeps punching into its cache but does not connect (a cut cable).</summary>
    public bool Online { get; set; } = true;

    /// <summary>Event ids the broker acknowledged.</summary>
    public IReadOnlyCollection<string> Acked => _acked.Keys.ToList();

    /// <summary>Number of acknowledged punches.</summary>
    public int AckedCount => _acked.Count;

    /// <summary>Punches waiting in the terminal's cache.</summary>
    public int Cached => _cache.Count;

    /// <summary>Punches recorded so far.</summary>
    public long Recorded => Interlocked.Read(ref _recorded);

    /// <summary>Connect results that were refusals (wrong secret, unknown device).</summary>
    public MqttClientConnectResultCode? LastConnectResult { get; private set; }

    /// <summary>PUBACK latencies in ms (for the load driver).</summary>
    public ConcurrentQueue<double> AckLatenciesMs { get; } = new();

    public bool IsConnected => _client.IsConnected;

    /// <summary>Starts the terminal's connect-and-flush loop.</summary>
    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Records a punch now (or at <paramref name="at"/>); it is sent when the link allows.</summary>
    public DevicePunch Punch(string person, Direction direction, DateTimeOffset? at = null, VerifyMode mode = VerifyMode.Face)
    {
        var punch = new DevicePunch(Sn, NextSeq(), person, at ?? _clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)), direction, mode, 36.5, 0.98);
        _cache.Enqueue(punch);
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }

        return punch;
    }

    private long NextSeq()
    {
        Interlocked.Increment(ref _recorded);
        return Interlocked.Increment(ref _seq);
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (!Online)
                {
                    if (_client.IsConnected)
                    {
                        await _client.DisconnectAsync(cancellationToken: stop);
                    }

                    await _wake.WaitAsync(TimeSpan.FromMilliseconds(100), stop);
                    continue;
                }

                if (!_client.IsConnected)
                {
                    await ConnectAsync(stop);
                }

                await FlushAsync(stop);
                backoff = TimeSpan.FromMilliseconds(100);
                await _wake.WaitAsync(TimeSpan.FromMilliseconds(200), stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // Like a real terminal: keep the cache, wait, reconnect, resend.
                await Task.Delay(backoff, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 2000));
            }
        }
    }

    private async Task ConnectAsync(CancellationToken stop)
    {
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(Host, Port)
            .WithClientId(Sn)
            .WithCredentials(Sn, Secret)
            .WithCleanStart(true)
            .WithTimeout(TimeSpan.FromSeconds(5))
            .WithWillTopic(DeviceTopics.Status(Sn))
            .WithWillPayload("{\"online\":false}"u8.ToArray())
            .WithWillRetain()
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        var result = await _client.ConnectAsync(options, timeout.Token);
        LastConnectResult = result.ResultCode;
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"{Sn} refused: {result.ResultCode}");
        }

        await DeviceCommandResponder.SubscribeAsync(_client, Sn, stop);
        await _client.PublishAsync(
            new MqttApplicationMessageBuilder().WithTopic(DeviceTopics.Status(Sn))
                .WithPayload($$"""{"online":true,"firmware":"sim-1.0","clock":"{{(_clock.GetUtcNow() + ClockSkew):O}}","cached":{{_cache.Count}},"capacity":100000,"enrolled":{{Commands.Enrolled.Count}}}""")
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build(),
            stop);
    }

    private async Task FlushAsync(CancellationToken stop)
    {
        while (!_cache.IsEmpty && _client.IsConnected && Online)
        {
            var batch = _cache.Take(_cache.Count > 1 ? MaxBatch : 1).ToList();
            var payload = batch.Count == 1 ? SiteHubV1Codec.EncodePunch(batch[0]) : SiteHubV1Codec.EncodeBatch(Sn, batch);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var result = await _client.PublishAsync(
                new MqttApplicationMessageBuilder().WithTopic(DeviceTopics.Punches(Sn)).WithPayload(payload)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
                stop);
            if (!result.IsSuccess)
            {
                throw new InvalidOperationException($"{Sn}: publish not accepted: {result.ReasonCode}");
            }

            AckLatenciesMs.Enqueue(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            foreach (var punch in batch)
            {
                _cache.TryDequeue(out _);
                _acked[punch.EventId] = 0;
            }
        }
    }

    /// <summary>Publishes a raw payload on one of this terminal's topics (bad-input tests); returns the PUBACK result.</summary>
    public async Task<MqttClientPublishResult> PublishRawAsync(string topic, byte[] payload, CancellationToken cancellationToken)
    {
        if (!_client.IsConnected)
        {
            await ConnectAsync(cancellationToken);
        }

        return await _client.PublishAsync(
            new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
            cancellationToken);
    }

    /// <summary>Tries to connect once and returns the broker's answer (auth tests).</summary>
    public async Task<MqttClientConnectResultCode> TryConnectAsync(CancellationToken cancellationToken)
    {
        LastConnectResult = null;
        try
        {
            await ConnectAsync(cancellationToken);
        }
        catch (InvalidOperationException)
        {
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException)
        {
            LastConnectResult ??= MqttClientConnectResultCode.UnspecifiedError;
        }

        return LastConnectResult ?? MqttClientConnectResultCode.UnspecifiedError;
    }

    /// <summary>Waits until the cache is empty (everything acked) or the timeout passes.</summary>
    public Task<bool> WaitDrainedAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        TerminalCache.WaitDrainedAsync(() => _cache.Count, timeout, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync();
            }
            catch (Exception)
            {
                // the broker may already be gone
            }
        }

        _client.Dispose();
        _stop.Dispose();
        _wake.Dispose();
    }
}
