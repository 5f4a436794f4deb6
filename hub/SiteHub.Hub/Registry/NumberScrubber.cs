using System.Text.RegularExpressions;

namespace SiteHub.Hub.Registry;

/// <summary>
/// Masks ID and account numbers in free text that people type (alert comments: "worker 1101…
/// says…"; names of imported files): what they write is shown to others and logged, and the
/// hub keeps such numbers only masked.
/// </summary>
public static partial class NumberScrubber
{
    /// <summary><paramref name="text"/> with every 18-character ID number and every run of 8–32 digits masked.</summary>
    public static string? Scrub(string? text) =>
        text is null ? null : LongDigits().Replace(IdNumbers().Replace(text, m => Masking.IdNumber(m.Value)), m => Masking.BankAccount(m.Value));

    [GeneratedRegex(@"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")]
    private static partial Regex IdNumbers();

    [GeneratedRegex(@"(?<![0-9])[0-9]{8,32}(?![0-9])")]
    private static partial Regex LongDigits();
}
