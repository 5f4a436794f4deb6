using System.Security.Cryptography;
using System.Text;

namespace SiteHub.Hub.Registry;

/// <summary>
/// Keyed hashes (HMAC-SHA256) of ID and bank-account numbers, for matching payouts to workers
/// without keeping the numbers: a leaked database does not give them away, and without the key
/// they cannot be found by hashing every possible number (there are only ~10^11 valid IDs).
/// </summary>
public sealed class KeyedHasher
{
    private readonly byte[] _key;

    /// <param name="key">The secret key (<c>Registry:HashKey</c>).</param>
    public KeyedHasher(ReadOnlySpan<byte> key)
    {
        if (key.Length < 16)
        {
            throw new ArgumentException("The hash key must be at least 16 bytes", nameof(key));
        }

        _key = key.ToArray();
    }

    /// <summary>A hasher keyed by the UTF-8 bytes of <paramref name="key"/>.</summary>
    public static KeyedHasher FromSecret(string key) => new(Encoding.UTF8.GetBytes(key));

    /// <summary>A hasher with a random key: for a run whose hashes never leave the process (the <c>reconcile</c> command).</summary>
    public static KeyedHasher Ephemeral() => new(RandomNumberGenerator.GetBytes(32));

    /// <summary>The account number as it is compared: without spaces and dashes.</summary>
    public static string NormalizeAccount(string value)
    {
        var trimmed = value.Trim();
        return trimmed.Contains(' ', StringComparison.Ordinal) || trimmed.Contains('-', StringComparison.Ordinal)
            ? trimmed.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal)
            : trimmed;
    }

    /// <summary>The hash of an ID number (normalized first).</summary>
    public string IdNumber(string value) => Hash("id:", ResidentIdNumber.Normalize(value));

    /// <summary>The hash of a bank account number (normalized first).</summary>
    public string BankAccount(string value) => Hash("acct:", NormalizeAccount(value));

    // The prefix keeps an ID and an account with the same characters apart.
    private string Hash(string kind, string value)
    {
        Span<byte> input = stackalloc byte[Encoding.UTF8.GetMaxByteCount(kind.Length + value.Length)];
        var length = Encoding.UTF8.GetBytes(kind, input);
        length += Encoding.UTF8.GetBytes(value, input[length..]);
        Span<byte> hash = stackalloc byte[32];
        var hmac = ThreadHmac();
        hmac.AppendData(input[..length]);
        hmac.GetHashAndReset(hash);
        // 128 bits are plenty to tell a region's workers apart and halve the memory of the indexes.
        return Convert.ToHexStringLower(hash[..16]);
    }

    // The one-shot HMACSHA256.HashData sets up the key for every call, which made hashing the
    // numbers of a million-row roster and bank file the largest cost of `reconcile`; a keyed
    // IncrementalHash is reset with the key kept. One per thread, as imports hash on several.
    [ThreadStatic]
    private static (byte[] Key, IncrementalHash Hmac)? _threadHmac;

    private IncrementalHash ThreadHmac()
    {
        if (_threadHmac is { } cached && ReferenceEquals(cached.Key, _key))
        {
            return cached.Hmac;
        }

        _threadHmac?.Hmac.Dispose();
        var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        _threadHmac = (_key, hmac);
        return hmac;
    }
}
