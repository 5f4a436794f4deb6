using SiteHub.Simulators.Load;

namespace SiteHub.EndToEnd.Tests;

/// <summary>A short run of the benchmark driver: the counts must add up (timing is for BENCHMARKS.md, not asserted here).</summary>
public sealed class LoadSmokeTests
{
    [Fact]
    public async Task A_short_load_run_acks_every_offered_punch_and_delivers_each_to_the_hub()
    {
        var result = await LoadCommand.MeasureAsync(devices: 10, rate: 400, TimeSpan.FromSeconds(3), batch: 1, null, null, null, TestContext.Current.CancellationToken);

        Assert.True(result.Offered >= 1000, $"only {result.Offered} punches were offered");
        Assert.Equal(result.Offered, result.Acked);
        Assert.Equal(result.Acked, result.AtHub);
        Assert.True(result.AckP50Ms > 0);
        Assert.NotEmpty(result.BacklogPerSecond);
    }
}
