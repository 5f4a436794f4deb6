using SiteHub.Simulators.Terminals;

namespace SiteHub.Simulators.Fleet;

/// <summary>
/// A simulated site: face terminals at the gates and workers following the <see cref="ShiftPattern"/>
/// day after day. Each worker uses one terminal (their usual gate); the terminals cache and resend.
/// </summary>
public sealed class SiteFleet(IReadOnlyList<FaceTerminal> terminals, IReadOnlyList<string> workers, TimeSpan dayLength, int seed) : IAsyncDisposable
{
    public IReadOnlyList<FaceTerminal> Terminals => terminals;

    /// <summary>Punches recorded by all terminals.</summary>
    public long Recorded => terminals.Sum(t => t.Recorded);

    /// <summary>Punches acknowledged by the site broker.</summary>
    public long Acked => terminals.Sum(t => t.AckedCount);

    /// <summary>Runs simulated days until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var terminal in terminals)
        {
            terminal.Start();
        }

        for (var day = 0; !cancellationToken.IsCancellationRequested; day++)
        {
            var started = DateTime.UtcNow;
            foreach (var punch in ShiftPattern.Day(workers, dayLength, seed + day))
            {
                var wait = punch.At - (DateTime.UtcNow - started);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }

                var terminal = terminals[UsualGate(punch.WorkerId)];
                terminal.Punch(punch.WorkerId, punch.Direction);
            }

            var rest = dayLength - (DateTime.UtcNow - started);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest, cancellationToken);
            }
        }
    }

    /// <summary>The worker's usual terminal: a stable hash, so a worker keeps to one gate.</summary>
    private int UsualGate(string workerId)
    {
        var hash = 2166136261u;
        foreach (var c in workerId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)terminals.Count);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var terminal in terminals)
        {
            await terminal.DisposeAsync();
        }
    }
}
