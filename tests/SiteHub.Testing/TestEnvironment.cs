using System.Net;
using System.Net.Sockets;

namespace SiteHub.Testing;

/// <summary>Free loopback ports, the repository's paths, bounded waiting.</summary>
public static class TestEnvironment
{
    /// <summary>A TCP port free on 127.0.0.1 now, outside the range outgoing connections take theirs from.</summary>
    public static int FreePort() => SiteHub.Platform.Hosting.LoopbackPort.Free();

    /// <summary>The repository root (the folder holding SiteHub.sln).</summary>
    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SiteHub.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("SiteHub.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The build configuration the tests were built with (the apps are built alike).</summary>
    public static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>The built dll of an app project, e.g. <c>AppDll("hub/SiteHub.Hub")</c>.</summary>
    public static string AppDll(string projectFolder)
    {
        var name = Path.GetFileName(projectFolder);
        var path = Path.Combine(RepoRoot, projectFolder, "bin", Configuration, "net10.0", name + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built; run 'dotnet build' first", path);
    }

    /// <summary>Waits until <paramref name="condition"/> holds, or fails naming <paramref name="what"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                // the thing waited for may not be up yet
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}.");
            }

            await Task.Delay(delay, cancellationToken);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
        }
    }

    /// <inheritdoc cref="WaitUntilAsync(Func{Task{bool}}, TimeSpan, string, CancellationToken)"/>
    public static Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what, CancellationToken cancellationToken) =>
        WaitUntilAsync(() => Task.FromResult(condition()), timeout, what, cancellationToken);
}

/// <summary>A temp folder deleted at dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder(string prefix = "sitehub-test")
    {
        Path = Directory.CreateTempSubdirectory(prefix + "-").FullName;
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // a killed child process may still hold a file for a moment; the OS cleans /tmp
        }
        catch (UnauthorizedAccessException)
        {
            // tests that make a folder read-only restore it; if one failed midway, leave it
        }
    }
}
