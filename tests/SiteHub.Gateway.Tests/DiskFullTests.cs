using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using SiteHub.Protocols.Punches;
using SiteHub.Testing;

namespace SiteHub.Gateway.Tests;

/// <summary>
/// The outbox's disk fills up: the gateway stops acking (devices keep their cache), says so in its
/// health, and resumes when space is back; nothing acked is lost. The data folder is a small tmpfs
/// mounted for the test (root ignores file permissions, so a read-only folder would not stop it).
/// </summary>
public sealed class DiskFullTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static async Task RunAsync(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
        var error = await process.StandardError.ReadToEndAsync(Token);
        await process.WaitForExitAsync(Token);
        Assert.True(process.ExitCode == 0, $"{file} {arguments} failed: {error} (the test needs root to mount a tmpfs)");
    }

    [Fact]
    public async Task A_full_disk_stops_acks_without_losing_anything_and_acks_resume_when_space_is_back()
    {
        using var mountPoint = new TempFolder("diskfull");
        await RunAsync("mount", $"-t tmpfs -o size=8m tmpfs {mountPoint.Path}");
        try
        {
            await using var gateway = await InProcessGateway.StartAsync(Token, $"--Gateway:DataPath={mountPoint.Path}");
            await using var terminal = await gateway.AddTerminalAsync("FULL-1", Token);
            terminal.MaxBatch = 1;
            terminal.Start();
            terminal.Punch("W001", Direction.In);
            Assert.True(await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(10), Token));

            // Fill what is left of the disk.
            var filler = Path.Combine(mountPoint.Path, "filler");
            await using (var stream = File.Create(filler))
            {
                var block = new byte[64 * 1024];
                try
                {
                    while (true)
                    {
                        await stream.WriteAsync(block, Token);
                        await stream.FlushAsync(Token);
                    }
                }
                catch (IOException)
                {
                    // full
                }
            }

            for (var i = 2; i <= 20; i++)
            {
                terminal.Punch($"W{i:D3}", Direction.In);
            }

            await TestEnvironment.WaitUntilAsync(async () => (await HealthAsync(gateway)).Contains("Unhealthy", StringComparison.Ordinal),
                TimeSpan.FromSeconds(20), "the gateway to report that it cannot commit", Token);
            Assert.True(terminal.Cached > 0, "the terminal's punches were acked although the disk is full");
            var ackedWhileFull = terminal.AckedCount;

            File.Delete(filler);

            Assert.True(await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(60), Token), $"the terminal still holds {terminal.Cached} punches after the disk has space again");
            Assert.Equal(20, terminal.AckedCount);
            Assert.True(ackedWhileFull < 20);
            Assert.All(terminal.Acked, id => Assert.NotNull(gateway.Outbox.FindPunch(id)));
            var outbox = await gateway.Api.GetFromJsonAsync<JsonElement>("/api/outbox", Token);
            Assert.Equal(20, outbox.GetProperty("pending").GetInt64());
            await TestEnvironment.WaitUntilAsync(async () => !(await HealthAsync(gateway)).Contains("Unhealthy", StringComparison.Ordinal),
                TimeSpan.FromSeconds(20), "health to recover", Token);

            // What the failed write left behind must not blow up when the GC finalizes it (it used to end the process).
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            terminal.Punch("W021", Direction.In);
            Assert.True(await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(20), Token));
        }
        finally
        {
            await RunAsync("umount", $"-l {mountPoint.Path}");
        }
    }

    private static async Task<string> HealthAsync(InProcessGateway gateway)
    {
        using var response = await gateway.Api.GetAsync("/health", Token);
        return await response.Content.ReadAsStringAsync(Token);
    }
}
