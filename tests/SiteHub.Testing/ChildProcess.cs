using System.Diagnostics;
using System.Text;

namespace SiteHub.Testing;

/// <summary>
/// A real process under test (a SiteHub app, mosquitto, VictoriaMetrics): started with its
/// output captured for failure messages, killed with SIGKILL when asked (crash tests) or at dispose.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ChildProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    /// <summary>The last part of what the process printed (stdout and stderr).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                var text = _output.ToString();
                return text.Length > 20_000 ? text[^20_000..] : text;
            }
        }
    }

    /// <summary>How many times <paramref name="text"/> occurs in everything the process printed so far.</summary>
    public int CountInOutput(string text)
    {
        lock (_output)
        {
            var all = _output.ToString();
            var count = 0;
            for (var at = all.IndexOf(text, StringComparison.Ordinal); at >= 0; at = all.IndexOf(text, at + text.Length, StringComparison.Ordinal))
            {
                count++;
            }

            return count;
        }
    }

    /// <summary>Starts <paramref name="fileName"/> with <paramref name="arguments"/>.</summary>
    public static ChildProcess Start(string name, string fileName, IEnumerable<string> arguments, string? workingDirectory = null, IDictionary<string, string>? environment = null)
    {
        if (Path.IsPathRooted(fileName) && !File.Exists(fileName))
        {
            throw new FileNotFoundException($"{name}: {fileName} is not installed. Install the test prerequisites with: bash scripts/test.sh (apt-get install -y mosquitto mosquitto-clients victoria-metrics chromium).", fileName);
        }

        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process, name);
        process.OutputDataReceived += (_, e) => child.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Starts a built SiteHub app (<c>dotnet App.dll args</c>).</summary>
    public static ChildProcess StartApp(string name, string projectFolder, IEnumerable<string> arguments, string workingDirectory) =>
        Start(name, "dotnet", [TestEnvironment.AppDll(projectFolder), .. arguments], workingDirectory);

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a crash or power cut of the process.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, then waits for the process to finish its shutdown (a graceful stop or restart).</summary>
    public async Task StopGracefullyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_process.HasExited)
        {
            return;
        }

        Signal(15);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{Name} did not stop within {timeout.TotalSeconds:0} s of SIGTERM:\n{Output}");
        }
    }

    /// <summary>
    /// The process's peak resident set size so far (<c>VmHWM</c> in <c>/proc/&lt;pid&gt;/status</c>), in bytes;
    /// null once it has exited.
    /// </summary>
    public long? PeakResidentBytes()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // exited meanwhile
        }

        return null;
    }

    /// <summary>SIGSTOP / SIGCONT: the process is frozen (a hung peer, a cut link) without closing its sockets.</summary>
    public void Signal(int signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
