using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace SiteHub.Platform.Hosting;

/// <summary>
/// Hands native memory the process has freed back to the operating system every
/// <see cref="Interval"/>, through glibc's <c>malloc_trim</c>. glibc keeps freed blocks in its
/// arenas (one per thread that allocated, up to eight per core) and by itself returns only the top
/// of the main heap, so the runtime's native allocations that come and go (the JIT's working memory,
/// type loading) stayed resident: 7–10 MiB of the gateway's RSS at 1,000 punches/s
/// (BENCHMARKS.md "Gateway memory"). Nothing is freed that is in use; a later allocation takes
/// fresh pages from the system again.
/// </summary>
/// <remarks>
/// Does nothing where the C library has no <c>malloc_trim</c> (musl, macOS, Windows). A trim
/// takes well under a millisecond on a heap of this size and cannot fail in a way that matters:
/// its result (whether anything was released) is ignored.
/// </remarks>
public sealed class NativeMemoryTrim(TimeProvider clock) : BackgroundService
{
    /// <summary>Time between trims.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private static readonly unsafe delegate* unmanaged<nuint, int> Trim = Find();

    /// <summary>Whether this process's C library can trim (glibc).</summary>
    public static unsafe bool IsSupported => Trim != null;

    /// <summary>Trims once now; false where it cannot.</summary>
    public static unsafe bool TrimNow()
    {
        if (Trim == null)
        {
            return false;
        }

        _ = Trim(0);
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!IsSupported)
        {
            return;
        }

        try
        {
            while (true)
            {
                await Task.Delay(Interval, clock, stoppingToken);
                TrimNow();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static unsafe delegate* unmanaged<nuint, int> Find() =>
        OperatingSystem.IsLinux()
        && NativeLibrary.TryLoad("libc.so.6", out var libc)
        && NativeLibrary.TryGetExport(libc, "malloc_trim", out var trim)
            ? (delegate* unmanaged<nuint, int>)trim
            : null;
}

/// <summary>Registration of <see cref="NativeMemoryTrim"/>.</summary>
public static class NativeMemoryTrimFeature
{
    /// <summary>Trims freed native memory periodically (glibc only; see <see cref="NativeMemoryTrim"/>).</summary>
    public static IServiceCollection AddNativeMemoryTrim(this IServiceCollection services)
    {
        services.AddHostedService<NativeMemoryTrim>();
        return services;
    }
}
