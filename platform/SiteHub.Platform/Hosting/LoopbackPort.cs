using System.Net;
using System.Net.Sockets;

namespace SiteHub.Platform.Hosting;

/// <summary>Free TCP ports on 127.0.0.1, for servers the demo, the load driver and the tests start.</summary>
/// <remarks>
/// Ports are picked below Linux's ephemeral range (32768–60999), which the OS hands out to the
/// local end of outgoing connections: a port taken from that range with bind(0) is free now, but an
/// MQTT client connecting a moment later can get the same port before our server binds it (seen as
/// "address already in use" on a busy machine). A port is also never handed out twice by this process.
/// </remarks>
public static class LoopbackPort
{
    private const int LowestPort = 20_000;
    private const int HighestPort = 32_767;
    private static readonly HashSet<int> HandedOut = [];

    public static int Free()
    {
        lock (HandedOut)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(LowestPort, HighestPort + 1);
                if (!HandedOut.Contains(port) && CanBind(port))
                {
                    HandedOut.Add(port);
                    return port;
                }
            }
        }

        throw new InvalidOperationException($"No free TCP port on 127.0.0.1 between {LowestPort} and {HighestPort}.");
    }

    /// <summary>Waits until something accepts connections on 127.0.0.1:<paramref name="port"/> (a server just started), up to 10 s.</summary>
    /// <exception cref="TimeoutException">Nothing listened in time.</exception>
    public static async Task WaitUntilListeningAsync(int port, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
            }
        }

        throw new TimeoutException($"Nothing listened on 127.0.0.1:{port} within 10 s.");
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
