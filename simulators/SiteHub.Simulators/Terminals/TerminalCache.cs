namespace SiteHub.Simulators.Terminals;

/// <summary>What every simulated terminal shares about its own record cache.</summary>
public static class TerminalCache
{
    /// <summary>Waits until <paramref name="cached"/> reports nothing left (everything acked) or the timeout passes.</summary>
    public static async Task<bool> WaitDrainedAsync(Func<int> cached, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (cached() > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, cancellationToken);
        }

        return cached() == 0;
    }
}
