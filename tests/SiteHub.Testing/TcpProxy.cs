using System.Net;
using System.Net.Sockets;

namespace SiteHub.Testing;

/// <summary>
/// A TCP forwarder on loopback standing for a WAN link: <see cref="Cut"/> drops every connection and
/// refuses new ones (the link is down), <see cref="Restore"/> brings it back.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private readonly Task _accepting;
    private volatile bool _cut;

    public TcpProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>Where clients connect instead of the target.</summary>
    public int Port { get; }

    public bool IsCut => _cut;

    /// <summary>Drops every open connection (reset) and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        _cut = true;
        lock (_open)
        {
            foreach (var client in _open)
            {
                Reset(client);
            }

            _open.Clear();
        }
    }

    public void Restore() => _cut = false;

    private static void Reset(TcpClient client)
    {
        try
        {
            client.Client?.LingerState = new LingerOption(true, 0);
        }
        catch (ObjectDisposedException)
        {
        }

        client.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            if (_cut)
            {
                Reset(inbound);
                continue;
            }

            _ = Task.Run(() => ForwardAsync(inbound));
        }
    }

    private async Task ForwardAsync(TcpClient inbound)
    {
        var outbound = new TcpClient { NoDelay = true };
        inbound.NoDelay = true;
        try
        {
            await outbound.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
        }
        catch (Exception)
        {
            inbound.Dispose();
            outbound.Dispose();
            return;
        }

        lock (_open)
        {
            _open.Add(inbound);
            _open.Add(outbound);
        }

        using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var a = Pump(inbound, outbound, done.Token);
        var b = Pump(outbound, inbound, done.Token);
        await Task.WhenAny(a, b);
        await done.CancelAsync();
        inbound.Dispose();
        outbound.Dispose();
        lock (_open)
        {
            _open.Remove(inbound);
            _open.Remove(outbound);
        }
    }

    private static async Task Pump(TcpClient from, TcpClient to, CancellationToken cancellationToken)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), cancellationToken);
        }
        catch (Exception)
        {
            // either side closed or the link was cut
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Cut();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
