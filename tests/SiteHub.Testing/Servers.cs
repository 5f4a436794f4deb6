using System.Net.Sockets;

namespace SiteHub.Testing;

/// <summary>A mosquitto broker on a free loopback port with its data in a temp folder.</summary>
public sealed class MosquittoServer : IAsyncDisposable
{
    private readonly TempFolder _folder = new("mosquitto");
    private ChildProcess? _process;

    private MosquittoServer(int port) => Port = port;

    public int Port { get; }

    public string DataPath => _folder.Path;

    /// <summary>
    /// Starts mosquitto (anonymous access on loopback unless <paramref name="extraConfig"/> says otherwise,
    /// persistence on) and waits until it accepts connections. As root it stays root, or it could not read
    /// its private temp folder.
    /// </summary>
    public static async Task<MosquittoServer> StartAsync(CancellationToken cancellationToken, string extraConfig = "")
    {
        var server = new MosquittoServer(TestEnvironment.FreePort());
        await File.WriteAllTextAsync(server._folder.Combine("mosquitto.conf"), $"""
            listener {server.Port} 127.0.0.1
            {(extraConfig.Contains("allow_anonymous", StringComparison.Ordinal) ? "" : "allow_anonymous true")}
            persistence true
            persistence_location {server._folder.Path}/
            set_tcp_nodelay true
            {(Environment.UserName == "root" ? "user root" : "")}
            max_queued_messages 0
            {extraConfig}
            """, cancellationToken);
        await server.RestartAsync(cancellationToken);
        return server;
    }

    /// <summary>
    /// (Re)starts the broker process with the same port and data. The running one is SIGKILLed, or,
    /// when <paramref name="graceful"/>, stopped with SIGTERM (mosquitto then saves its sessions and
    /// queued messages to its persistence file before exiting).
    /// </summary>
    public async Task RestartAsync(CancellationToken cancellationToken, bool graceful = false)
    {
        if (_process is not null)
        {
            if (graceful)
            {
                await _process.StopGracefullyAsync(TimeSpan.FromSeconds(30), cancellationToken);
            }

            await _process.DisposeAsync();
        }

        _process = ChildProcess.Start("mosquitto", "/usr/sbin/mosquitto", ["-c", _folder.Combine("mosquitto.conf")]);
        await WaitForPortAsync(Port, _process, cancellationToken);
    }

    /// <summary>Stops the broker (SIGKILL).</summary>
    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    internal static async Task WaitForPortAsync(int port, ChildProcess process, CancellationToken cancellationToken)
    {
        await TestEnvironment.WaitUntilAsync(
            async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"{process.Name} exited: {process.Output}");
                }

                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port, cancellationToken);
                return true;
            },
            TimeSpan.FromSeconds(20),
            $"{process.Name} to listen on {port}",
            cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _folder.Dispose();
    }
}

/// <summary>
/// VictoriaMetrics from Debian's packages: a real server that speaks InfluxDB's
/// <c>/api/v2/write</c> line protocol, read back through <c>/api/v1/export</c>.
/// <c>SITEHUB_TEST_INFLUX</c> points the tests at another server instead.
/// </summary>
public sealed class VictoriaMetricsServer : IAsyncDisposable
{
    private readonly TempFolder _folder = new("victoria");
    private ChildProcess? _process;

    private VictoriaMetricsServer(int port) => Port = port;

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public static async Task<VictoriaMetricsServer> StartAsync(CancellationToken cancellationToken)
    {
        var server = new VictoriaMetricsServer(TestEnvironment.FreePort());
        await server.RestartAsync(cancellationToken);
        return server;
    }

    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        await StopAsync();
        _process = ChildProcess.Start("victoria-metrics", "/usr/bin/victoria-metrics",
        [
            $"-httpListenAddr=127.0.0.1:{Port}",
            $"-storageDataPath={_folder.Combine("data")}",
            "-retentionPeriod=100y",
            "-search.disableCache",
            "-loggerLevel=ERROR",
        ]);
        await MosquittoServer.WaitForPortAsync(Port, _process, cancellationToken);
    }

    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _folder.Dispose();
    }
}
