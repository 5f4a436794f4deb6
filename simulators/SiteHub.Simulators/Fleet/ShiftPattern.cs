using SiteHub.Protocols.Punches;

namespace SiteHub.Simulators.Fleet;

/// <summary>One scheduled passage of a worker through a gate during a simulated day.</summary>
/// <param name="At">Offset from the start of the simulated day (in real time).</param>
/// <param name="WorkerId">The worker.</param>
/// <param name="Direction">In or out.</param>
public sealed record ScheduledPunch(TimeSpan At, string WorkerId, Direction Direction);

/// <summary>
/// A working day compressed into <c>dayLength</c> of real time: a morning rush (most workers
/// arrive in the first sixth of the day), a few late arrivals and lunch breaks, and the evening
/// exit. Pure and seeded: the same seed gives the same day.
/// </summary>
public static class ShiftPattern
{
    public static IReadOnlyList<ScheduledPunch> Day(IReadOnlyList<string> workers, TimeSpan dayLength, int seed)
    {
        var random = new Random(seed);
        var punches = new List<ScheduledPunch>(workers.Count * 4);
        foreach (var worker in workers)
        {
            // About one in twenty workers stays away on a given day.
            if (random.NextDouble() < 0.05)
            {
                continue;
            }

            var arrive = random.NextDouble() < 0.9 ? Gaussian(random, 0.08, 0.03) : random.NextDouble() * 0.4;
            var leave = Gaussian(random, 0.85, 0.04);
            punches.Add(new ScheduledPunch(dayLength * Math.Clamp(arrive, 0.0, 0.5), worker, Direction.In));
            if (random.NextDouble() < 0.3)
            {
                var lunch = Gaussian(random, 0.5, 0.02);
                punches.Add(new ScheduledPunch(dayLength * Math.Clamp(lunch, 0.42, 0.55), worker, Direction.Out));
                punches.Add(new ScheduledPunch(dayLength * Math.Clamp(lunch + 0.05, 0.47, 0.6), worker, Direction.In));
            }

            punches.Add(new ScheduledPunch(dayLength * Math.Clamp(leave, 0.65, 0.99), worker, Direction.Out));
        }

        punches.Sort((a, b) => a.At.CompareTo(b.At));
        return punches;
    }

    private static double Gaussian(Random random, double mean, double deviation)
    {
        // Box–Muller
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return mean + (deviation * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Sin(2.0 * Math.PI * u2));
    }
}
