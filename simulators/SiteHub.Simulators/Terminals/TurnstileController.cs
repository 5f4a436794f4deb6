using System.Collections.Concurrent;
using MQTTnet;
using MQTTnet.Protocol;
using SiteHub.Protocols;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.Turnstile;

namespace SiteHub.Simulators.Terminals;

/// <summary>
/// A simulated turnstile controller speaking <c>turnstile-v1</c>: one passage per message on
/// <c>devices/{sn}/events</c> (QoS 1, kept until PUBACK), and commands (open) on <c>cmd</c>.
/// </summary>
public sealed class TurnstileController : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly ConcurrentQueue<TurnstilePassage> _cache = new();
    private readonly TimeProvider _clock;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private long _seq;

    public TurnstileController(string sn, string secret, string host, int port, TimeProvider? clock = null)
    {
        Sn = sn;
        Secret = secret;
        Host = host;
        Port = port;
        _clock = clock ?? TimeProvider.System;
        _client = new MqttClientFactory().CreateMqttClient();
        Commands = new DeviceCommandResponder(sn, _client);
    }

    public string Sn { get; }

    public string Secret { get; }

    public string Host { get; }

    public int Port { get; }

    public DeviceCommandResponder Commands { get; }

    public int Cached => _cache.Count;

    /// <summary>Records a passage and sends everything cached; returns the passage.</summary>
    public async Task<TurnstilePassage> PassAsync(Direction direction, CancellationToken cancellationToken, int lane = 1, DateTimeOffset? at = null)
    {
        var passage = new TurnstilePassage(Sn, Interlocked.Increment(ref _seq), lane, direction, at ?? _clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)));
        _cache.Enqueue(passage);
        await FlushAsync(cancellationToken);
        return passage;
    }

    /// <summary>Connects if needed and sends the cache; a failure leaves the rest cached for the next call.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            if (!_client.IsConnected)
            {
                await ConnectAsync(cancellationToken);
            }

            while (_cache.TryPeek(out var passage))
            {
                var result = await _client.PublishAsync(
                    new MqttApplicationMessageBuilder().WithTopic(DeviceTopics.Events(Sn)).WithPayload(TurnstileV1Codec.Encode(passage))
                        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
                    cancellationToken);
                if (!result.IsSuccess)
                {
                    throw new InvalidOperationException($"{Sn}: passage not accepted: {result.ReasonCode}");
                }

                _cache.TryDequeue(out _);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var result = await _client.ConnectAsync(
            new MqttClientOptionsBuilder().WithTcpServer(Host, Port).WithClientId(Sn).WithCredentials(Sn, Secret).WithCleanStart(true).Build(),
            cancellationToken);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"{Sn} refused: {result.ResultCode}");
        }

        await DeviceCommandResponder.SubscribeAsync(_client, Sn, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
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
        _sendLock.Dispose();
    }
}
