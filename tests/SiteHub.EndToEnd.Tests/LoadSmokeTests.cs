using SiteHub.Simulators.Load;

namespace SiteHub.EndToEnd.Tests;

/// <summary>A short run of the benchmark driver: the counts must add up (timing is for BENCHMARKS.md, not asserted here).</summary>
public sealed class LoadSmokeTests
{
    [Fact]
    public async Task A_short_load_run_acks_every_offered_punch_and_delivers_each_to_the_hub()
    {
        var result = await LoadCommand.MeasureAsync(new LoadSettings(Devices: 10, Rate: 400, TimeSpan.FromSeconds(3), Batch: 1), TestContext.Current.CancellationToken);

        Assert.True(result.Offered >= 1000, $"only {result.Offered} punches were offered");
        Assert.Equal(result.Offered, result.Acked);
        Assert.Equal(result.Acked, result.AtHub);
        Assert.True(result.AckP50Ms > 0);
        Assert.NotEmpty(result.BacklogPerSecond);
    }

    [Fact]
    public async Task A_replay_run_with_the_gateway_as_a_process_drains_the_buffered_backlog_and_measures_the_gateway_apart()
    {
        var settings = new LoadSettings(Devices: 5, Rate: 200, TimeSpan.FromSeconds(3), Batch: 1) { GatewayProcess = true, Replay = 500 };

        var result = await LoadCommand.MeasureAsync(settings, TestContext.Current.CancellationToken);

        Assert.Equal(result.Offered, result.Acked);
        Assert.Equal(result.Acked, result.AtHub);
        Assert.Equal(500, result.Replay!.Buffered);
        Assert.True(result.Replay.DrainSeconds > 0);
        Assert.True(result.Gateway!.PeakRssMb > 0);
        Assert.True(result.Gateway.CpuSeconds > 0);
    }
}
