using SiteHub.Protocols.Punches;
using SiteHub.Simulators.Terminals;

namespace SiteHub.EndToEnd.Tests;

/// <summary>
/// Keeps terminals punching at roughly <c>perSecond</c> (in ticks of 50 ms, round robin over the
/// terminals) until stopped: a site's steady stream while a fault is injected.
/// </summary>
public sealed class SteadyPunching : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _recorded;

    private SteadyPunching(IReadOnlyList<FaceTerminal> terminals, int perSecond) =>
        _loop = Task.Run(() => RunAsync(terminals, perSecond, _stop.Token));

    /// <summary>Punches recorded so far.</summary>
    public long Recorded => Interlocked.Read(ref _recorded);

    public static SteadyPunching Start(IReadOnlyList<FaceTerminal> terminals, int perSecond) => new(terminals, perSecond);

    private async Task RunAsync(IReadOnlyList<FaceTerminal> terminals, int perSecond, CancellationToken stop)
    {
        var n = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                for (var i = 0; i < Math.Max(1, perSecond / 20); i++, n++)
                {
                    terminals[n % terminals.Count].Punch($"W{n % 500:D4}", n % 3 == 0 ? Direction.Out : Direction.In);
                    Interlocked.Increment(ref _recorded);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Stops punching (what was recorded stays in the terminals' caches until acked).</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
