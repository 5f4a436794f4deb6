using System.Text.RegularExpressions;
using SiteHub.Hub.Registry;

namespace SiteHub.Hub.Alerts;

/// <summary>
/// Masks ID and account numbers that people type into alert comments ("worker 1101… says…"):
/// the alert history is shown to everyone who handles alerts, and keeps numbers only masked.
/// </summary>
public static partial class CommentScrubber
{
    /// <summary><paramref name="text"/> with every 18-character ID number and every run of 8–32 digits masked.</summary>
    public static string? Scrub(string? text) =>
        text is null ? null : LongDigits().Replace(IdNumbers().Replace(text, m => Masking.IdNumber(m.Value)), m => Masking.BankAccount(m.Value));

    [GeneratedRegex(@"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")]
    private static partial Regex IdNumbers();

    [GeneratedRegex(@"(?<![0-9])[0-9]{8,32}(?![0-9])")]
    private static partial Regex LongDigits();
}
