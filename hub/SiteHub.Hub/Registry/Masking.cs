namespace SiteHub.Hub.Registry;

/// <summary>
/// The display forms of ID and bank-account numbers: what a person may see without the number
/// leaking (<c>2224**********123X</c>, <c>6222********1234</c>). The clear number is never stored
/// or printed; matching goes through <see cref="KeyedHasher"/>.
/// </summary>
public static class Masking
{
    /// <summary>An ID number with all but the first four and last four characters starred.</summary>
    public static string IdNumber(string value) => KeepEnds(ResidentIdNumber.Normalize(value));

    /// <summary>A bank account with all but the first four and last four digits starred.</summary>
    public static string BankAccount(string value) => KeepEnds(KeyedHasher.NormalizeAccount(value));

    private static string KeepEnds(string value) => value.Length switch
    {
        // Too short to show both ends without giving most of it away.
        <= 4 => new string('*', value.Length),
        < 10 => new string('*', value.Length - 2) + value[^2..],
        _ => string.Concat(value.AsSpan(0, 4), new string('*', value.Length - 8), value.AsSpan(value.Length - 4)),
    };
}
