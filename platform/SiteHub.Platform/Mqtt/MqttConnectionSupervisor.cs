using Microsoft.Extensions.Logging;
using MQTTnet;

namespace SiteHub.Platform.Mqtt;

/// <summary>Where a supervised MQTT connection stands.</summary>
public enum MqttLinkState
{
    Connecting,
    Connected,
    Refused,
    Disconnected,
}

/// <summary>
/// Owns one MQTT client connection: connects, checks the CONNACK's result code (bad credentials
/// do not throw in MQTTnet), runs <c>onConnected</c> (subscriptions, status) after every connect,
/// watches the link with <c>TryPingAsync</c> and reconnects with a jittered back-off. MQTTnet 5
/// has no managed client, and reconnecting from inside <c>DisconnectedAsync</c> races with the
/// library, so this loop is the only place that connects.
/// </summary>
/// <remarks>
/// Failures never end the loop: a refused or failed connect is logged with the reason and retried
/// after a delay that doubles up to <c>maxBackoff</c>; cancellation (shutdown) disconnects cleanly.
/// </remarks>
public sealed class MqttConnectionSupervisor : IAsyncDisposable
{
    private readonly string _name;
    private readonly Func<MqttClientOptions> _options;
    private readonly Func<IMqttClient, CancellationToken, Task> _onConnected;
    private readonly ILogger _logger;
    private readonly TimeSpan _checkInterval;
    private readonly TimeSpan _maxBackoff;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public MqttConnectionSupervisor(
        string name,
        IMqttClient client,
        Func<MqttClientOptions> options,
        Func<IMqttClient, CancellationToken, Task> onConnected,
        ILogger logger,
        TimeSpan? checkInterval = null,
        TimeSpan? maxBackoff = null)
    {
        _name = name;
        Client = client;
        _options = options;
        _onConnected = onConnected;
        _logger = logger;
        _checkInterval = checkInterval ?? TimeSpan.FromSeconds(1);
        _maxBackoff = maxBackoff ?? TimeSpan.FromSeconds(10);
        Client.DisconnectedAsync += OnDisconnected;
    }

    /// <summary>The supervised client. Publish through it; never connect it yourself.</summary>
    public IMqttClient Client { get; }

    /// <summary>The current state of the link.</summary>
    public MqttLinkState State { get; private set; } = MqttLinkState.Connecting;

    /// <summary>Why the last connect failed or the link dropped, if it did.</summary>
    public string? LastError { get; private set; }

    /// <summary>When the link last came up.</summary>
    public DateTimeOffset? ConnectedSince { get; private set; }

    /// <summary>Raised (on the supervisor's loop) after each successful connect and <c>onConnected</c>.</summary>
    public event Action? Connected;

    /// <summary>Starts the supervising loop.</summary>
    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    private Task OnDisconnected(MqttClientDisconnectedEventArgs args)
    {
        if (State == MqttLinkState.Connected)
        {
            State = MqttLinkState.Disconnected;
            LastError = args.ReasonString ?? args.Reason.ToString();
            _logger.LogWarning("MQTT link {Link} lost: {Reason}", _name, LastError);
        }

        _wake.Release();
        return Task.CompletedTask;
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (!Client.IsConnected || !await Client.TryPingAsync(stop))
                {
                    await ConnectAsync(stop);
                }

                backoff = TimeSpan.FromMilliseconds(200);
                await _wake.WaitAsync(_checkInterval, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                if (State != MqttLinkState.Refused)
                {
                    State = MqttLinkState.Disconnected;
                }

                LastError = ex.Message;
                _logger.LogWarning("MQTT link {Link} cannot connect: {Reason}; retrying in {Delay}", _name, ex.Message, backoff);
                try
                {
                    await Task.Delay(backoff + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 100)), stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _maxBackoff.Ticks));
            }
        }
    }

    private async Task ConnectAsync(CancellationToken stop)
    {
        State = State == MqttLinkState.Refused ? MqttLinkState.Refused : MqttLinkState.Connecting;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        if (Client.IsConnected)
        {
            await Client.DisconnectAsync(cancellationToken: timeout.Token);
        }

        var result = await Client.ConnectAsync(_options(), timeout.Token);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            State = MqttLinkState.Refused;
            throw new InvalidOperationException($"the broker refused the connection: {result.ResultCode} {result.ReasonString}".TrimEnd());
        }

        await _onConnected(Client, timeout.Token);
        State = MqttLinkState.Connected;
        LastError = null;
        ConnectedSince = DateTimeOffset.UtcNow;
        _logger.LogInformation("MQTT link {Link} connected (session present: {SessionPresent})", _name, result.IsSessionPresent);
        Connected?.Invoke();
    }

    /// <summary>Stops the loop and disconnects cleanly.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        Client.DisconnectedAsync -= OnDisconnected;
        if (Client.IsConnected)
        {
            try
            {
                await Client.DisconnectAsync();
            }
            catch (Exception ex)
            {
                _logger.LogDebug(ex, "Disconnect of {Link} at shutdown failed", _name);
            }
        }

        Client.Dispose();
        _stop.Dispose();
        _wake.Dispose();
    }
}
