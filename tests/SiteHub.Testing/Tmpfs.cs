using System.Diagnostics;

namespace SiteHub.Testing;

/// <summary>
/// A small tmpfs mounted on a temp folder, for disk-full tests: fill it with <see cref="FillAsync"/>,
/// free it with <see cref="Free"/>. Needs root (as the test suite runs); unmounted at dispose.
/// </summary>
public sealed class Tmpfs : IAsyncDisposable
{
    private readonly TempFolder _mountPoint = new("tmpfs");

    private Tmpfs()
    {
    }

    public string Path => _mountPoint.Path;

    private string Filler => System.IO.Path.Combine(Path, "filler");

    public static async Task<Tmpfs> MountAsync(int megabytes, CancellationToken cancellationToken)
    {
        var tmpfs = new Tmpfs();
        await RunAsync("mount", $"-t tmpfs -o size={megabytes}m tmpfs {tmpfs.Path}", cancellationToken);
        return tmpfs;
    }

    /// <summary>Writes a filler file until the file system is full.</summary>
    public async Task FillAsync(CancellationToken cancellationToken)
    {
        await using var stream = File.Create(Filler);
        var block = new byte[64 * 1024];
        try
        {
            while (true)
            {
                await stream.WriteAsync(block, cancellationToken);
                await stream.FlushAsync(cancellationToken);
            }
        }
        catch (IOException)
        {
            // full
        }
    }

    /// <summary>Deletes the filler: the space is back.</summary>
    public void Free() => File.Delete(Filler);

    private static async Task RunAsync(string file, string arguments, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
        var error = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed: {error} (mounting a tmpfs needs root)");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await RunAsync("umount", $"-l {Path}", CancellationToken.None);
        _mountPoint.Dispose();
    }
}
