using SiteHub.Protocols.Punches;
using SiteHub.Simulators.Terminals;

namespace SiteHub.EndToEnd.Tests;

/// <summary>
/// Simulated devices → gateway process → hub process. The promise checked: every punch a device
/// got a PUBACK for is at the hub exactly once, also when a process is SIGKILLed mid-stream.
/// </summary>
public sealed class PipelineTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Keeps the terminals punching at roughly <paramref name="perSecond"/> until cancelled.</summary>
    private static async Task PunchSteadilyAsync(IReadOnlyList<FaceTerminal> terminals, int perSecond, CancellationToken stop)
    {
        var n = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                for (var i = 0; i < perSecond / 20; i++, n++)
                {
                    terminals[n % terminals.Count].Punch($"W{n % 300:D4}", n % 3 == 0 ? Direction.Out : Direction.In);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<List<string>> DrainAsync(IReadOnlyList<FaceTerminal> terminals)
    {
        foreach (var terminal in terminals)
        {
            Assert.True(await terminal.WaitDrainedAsync(TimeSpan.FromSeconds(60), Token), $"{terminal.Sn} still holds {terminal.Cached} unacked punches");
        }

        return terminals.SelectMany(t => t.Acked).ToList();
    }

    [Fact]
    public async Task Every_acked_punch_reaches_the_hub_exactly_once()
    {
        await using var site = await SiteUnderTest.StartAsync(Token);
        var terminals = await site.AddTerminalsAsync(5, Token);
        try
        {
            for (var i = 0; i < 1000; i++)
            {
                terminals[i % 5].Punch($"W{i % 200:D4}", i < 500 ? Direction.In : Direction.Out);
            }

            var acked = await DrainAsync(terminals);

            Assert.Equal(1000, acked.Count);
            await site.AssertHubHasExactlyAsync(acked, Token);
        }
        finally
        {
            foreach (var terminal in terminals)
            {
                await terminal.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_gateway_killed_mid_stream_and_restarted_loses_and_doubles_nothing()
    {
        await using var site = await SiteUnderTest.StartAsync(Token);
        var terminals = await site.AddTerminalsAsync(4, Token);
        using var stop = new CancellationTokenSource();
        var producer = PunchSteadilyAsync(terminals, 400, stop.Token);
        try
        {
            for (var kill = 0; kill < 3; kill++)
            {
                await Task.Delay(TimeSpan.FromSeconds(1.5), Token);
                await site.Gateway!.KillAsync();
                await site.StartGatewayAsync(Token);
            }

            await Task.Delay(TimeSpan.FromSeconds(1), Token);
            await stop.CancelAsync();
            await producer;
            var acked = await DrainAsync(terminals);

            Assert.True(acked.Count > 1000, $"only {acked.Count} punches were acked");
            await site.AssertHubHasExactlyAsync(acked, Token);
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var terminal in terminals)
            {
                await terminal.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_hub_killed_mid_stream_and_restarted_loses_and_doubles_nothing()
    {
        await using var site = await SiteUnderTest.StartAsync(Token);
        var terminals = await site.AddTerminalsAsync(4, Token);
        using var stop = new CancellationTokenSource();
        var producer = PunchSteadilyAsync(terminals, 400, stop.Token);
        try
        {
            for (var kill = 0; kill < 2; kill++)
            {
                await Task.Delay(TimeSpan.FromSeconds(1.5), Token);
                await site.Hub!.KillAsync();
                await Task.Delay(TimeSpan.FromSeconds(0.5), Token);
                await site.StartHubAsync(Token);
            }

            await Task.Delay(TimeSpan.FromSeconds(1), Token);
            await stop.CancelAsync();
            await producer;
            var acked = await DrainAsync(terminals);

            await site.AssertHubHasExactlyAsync(acked, Token);
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var terminal in terminals)
            {
                await terminal.DisposeAsync();
            }
        }
    }
}
