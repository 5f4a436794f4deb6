using System.Globalization;

namespace SiteHub.Hub.Registry;

/// <summary>
/// The 18-character PRC resident identity number (GB 11643-1999): a 6-digit region code, the
/// birth date <c>yyyyMMdd</c>, a 3-digit sequence and an ISO 7064 MOD 11-2 check character.
/// </summary>
/// <remarks>
/// The region is checked only down to the province (first two digits): the county tables change
/// every year and a stale table would reject real workers. Messages never repeat the number.
/// </remarks>
public static class ResidentIdNumber
{
    private static ReadOnlySpan<int> Weights => [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

    private const string CheckCharacters = "10X98765432";

    // Provinces, autonomous regions and municipalities; 71 Taiwan, 81/82/83 the residence permits
    // of Hong Kong, Macao and Taiwan residents, which use the same layout.
    private static readonly HashSet<int> Provinces =
    [
        11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
        50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
    ];

    /// <summary>The number as it is compared and hashed: trimmed, with a lower-case <c>x</c> made upper-case.</summary>
    public static string Normalize(string value) => value.Trim().ToUpperInvariant();

    /// <summary>Why <paramref name="value"/> is not a valid resident ID number on <paramref name="today"/>, or <c>null</c> when it is.</summary>
    /// <param name="value">The number, normalized or not.</param>
    /// <param name="today">Birth dates after this day are rejected.</param>
    public static string? Validate(string? value, DateOnly today)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "is required";
        }

        var id = Normalize(value);
        if (id.Length != 18)
        {
            return $"must be 18 characters, not {id.Length}";
        }

        for (var i = 0; i < 17; i++)
        {
            if (!char.IsAsciiDigit(id[i]))
            {
                return "must be 17 digits and a check digit or X";
            }
        }

        if (!char.IsAsciiDigit(id[17]) && id[17] != 'X')
        {
            return "must end in a digit or X";
        }

        if (!Provinces.Contains(int.Parse(id.AsSpan(0, 2), CultureInfo.InvariantCulture)))
        {
            return "has no valid region code";
        }

        if (!DateOnly.TryParseExact(id.AsSpan(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birth)
            || birth.Year < 1900 || birth > today)
        {
            return "has no valid birth date";
        }

        return id[17] == CheckCharacter(id.AsSpan(0, 17)) ? null : "has a wrong check digit (GB 11643)";
    }

    /// <summary>Whether <paramref name="value"/> is a valid resident ID number on <paramref name="today"/>.</summary>
    public static bool IsValid(string? value, DateOnly today) => Validate(value, today) is null;

    /// <summary>The check character of the first 17 digits (ISO 7064 MOD 11-2).</summary>
    public static char CheckCharacter(ReadOnlySpan<char> first17)
    {
        if (first17.Length != 17)
        {
            throw new ArgumentException("17 digits are needed", nameof(first17));
        }

        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (first17[i] - '0') * Weights[i];
        }

        return CheckCharacters[sum % 11];
    }

    /// <summary>A full number from its first 17 digits (for simulators and tests).</summary>
    public static string WithCheckCharacter(string first17) => first17 + CheckCharacter(first17);
}
