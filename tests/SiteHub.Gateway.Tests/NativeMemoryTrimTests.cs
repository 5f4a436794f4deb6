using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SiteHub.Platform.Hosting;

namespace SiteHub.Gateway.Tests;

public sealed class NativeMemoryTrimTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public void Native_memory_freed_between_blocks_still_in_use_goes_back_to_the_system()
    {
        // The gateway runs on Linux with glibc (Debian, as here and in the images): the trim must work there.
        Assert.True(NativeMemoryTrim.IsSupported, "malloc_trim not found: this test needs Linux with glibc, where the gateway runs");

        // 4,000 blocks of 16 KiB (below glibc's mmap threshold, so from its heap), every tenth kept:
        // free() cannot give back the holes between the kept ones; a trim can.
        var blocks = new nint[4000];
        for (var i = 0; i < blocks.Length; i++)
        {
            blocks[i] = Marshal.AllocHGlobal(16 * 1024);
            unsafe
            {
                new Span<byte>((void*)blocks[i], 16 * 1024).Fill(1);
            }
        }

        for (var i = 0; i < blocks.Length; i++)
        {
            if (i % 10 != 0)
            {
                Marshal.FreeHGlobal(blocks[i]);
            }
        }

        var before = RssAnonKb();
        Assert.True(NativeMemoryTrim.TrimNow());
        var after = RssAnonKb();
        for (var i = 0; i < blocks.Length; i += 10)
        {
            Marshal.FreeHGlobal(blocks[i]);
        }

        Assert.True(before - after >= 32 * 1024, $"anonymous memory {before} kB before the trim, {after} kB after");
    }

    [Fact]
    public async Task The_gateway_runs_the_trim()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);

        Assert.Contains(gateway.App.Services.GetServices<IHostedService>(), s => s is NativeMemoryTrim);
    }

    private static long RssAnonKb() =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("RssAnon:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
}
