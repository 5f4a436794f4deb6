using SiteHub.Protocols.Punches;

namespace SiteHub.Protocols.Turnstile;

/// <summary>A verification and the passage it let through.</summary>
public sealed record GatePassage(DevicePunch Verification, TurnstilePassage Passage);

/// <summary>
/// How the verifications and passages of one gate fit together.
/// </summary>
/// <param name="Matched">Each verification with the passage it let through.</param>
/// <param name="Tailgating">Passages with no verification before them: someone followed another person through.</param>
/// <param name="NoPassage">
/// Verifications no passage followed (the person may have turned back): still punches, flagged, never dropped.
/// </param>
/// <param name="PendingVerifications">Verifications too recent to judge: their passage may still come. Feed them again later.</param>
/// <param name="PendingPassages">Passages too recent to judge (within the clock tolerance). Feed them again later.</param>
public sealed record GateFusionResult(
    IReadOnlyList<GatePassage> Matched,
    IReadOnlyList<TurnstilePassage> Tailgating,
    IReadOnlyList<DevicePunch> NoPassage,
    IReadOnlyList<DevicePunch> PendingVerifications,
    IReadOnlyList<TurnstilePassage> PendingPassages);

/// <summary>
/// Fuses a gate's face (or card) verifications with its turnstile's passage counts to catch
/// tailgating: a passage needs a verification in the <c>window</c> before it; a verification with
/// no passage after it is kept but flagged.
/// </summary>
/// <remarks>
/// Pure: the caller passes the gate's recent verifications and passages and the current time
/// (<c>asOf</c>), so the same inputs always give the same answer and no clock is read. Items too
/// recent to judge come back as pending; the gateway keeps them and passes them again with the
/// next call, so decisions are final once made.
/// Matching is first-come first-served: each passage takes the earliest unused verification in
/// <c>[passage − window, passage + clockTolerance]</c> whose direction agrees (or is unknown).
/// With one window length for all, taking the earliest leaves the most later verifications free
/// for later passages, so no pairing is missed that another order would have found.
/// </remarks>
public static class TailgatingDetector
{
    /// <summary>A sensible window between a face verification and the arm turning: 10 s.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(10);

    /// <summary>Fuses one gate's verifications and passages.</summary>
    /// <param name="verifications">The gate's verification punches (any order).</param>
    /// <param name="passages">The gate's turnstile passages (any order).</param>
    /// <param name="asOf">Now: items whose outcome could still change by later input are returned as pending.</param>
    /// <param name="window">How long after a verification its passage may come.</param>
    /// <param name="clockTolerance">How far a passage may appear to precede its verification because the two devices' clocks differ.</param>
    public static GateFusionResult Fuse(
        IReadOnlyList<DevicePunch> verifications,
        IReadOnlyList<TurnstilePassage> passages,
        DateTimeOffset asOf,
        TimeSpan window,
        TimeSpan clockTolerance = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(clockTolerance, TimeSpan.Zero);

        var byTime = verifications.OrderBy(v => v.Time).ToArray();
        var used = new bool[byTime.Length];
        var matched = new List<GatePassage>();
        var tailgating = new List<TurnstilePassage>();
        var pendingPassages = new List<TurnstilePassage>();
        var first = 0;
        foreach (var passage in passages.OrderBy(p => p.Time))
        {
            // Verifications older than this passage's window are too old for every later passage too.
            var earliest = passage.Time - window;
            while (first < byTime.Length && byTime[first].Time < earliest)
            {
                first++;
            }

            var latest = passage.Time + clockTolerance;
            var match = -1;
            for (var i = first; i < byTime.Length && byTime[i].Time <= latest; i++)
            {
                if (!used[i] && Agrees(byTime[i].Direction, passage.Direction))
                {
                    match = i;
                    break;
                }
            }

            if (match >= 0)
            {
                used[match] = true;
                matched.Add(new GatePassage(byTime[match], passage));
            }
            else if (asOf >= latest)
            {
                tailgating.Add(passage);
            }
            else
            {
                pendingPassages.Add(passage);
            }
        }

        var noPassage = new List<DevicePunch>();
        var pendingVerifications = new List<DevicePunch>();
        for (var i = 0; i < byTime.Length; i++)
        {
            if (used[i])
            {
                continue;
            }

            (asOf >= byTime[i].Time + window ? noPassage : pendingVerifications).Add(byTime[i]);
        }

        return new GateFusionResult(matched, tailgating, noPassage, pendingVerifications, pendingPassages);
    }

    private static bool Agrees(Direction verification, Direction passage) =>
        verification == Direction.Unknown || verification == passage;
}
