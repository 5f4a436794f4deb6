namespace SiteHub.Protocols.Punches;

/// <summary>Rules for device serials and site ids, which become MQTT topic levels.</summary>
public static class TopicSafeId
{
    /// <summary>Longest serial or site id accepted.</summary>
    public const int MaxLength = 64;

    /// <summary>
    /// True for 1–64 characters of ASCII letters, digits, '-', '_' and '.': nothing that could
    /// change a topic's meaning ('/', '+', '#') or hide in it (spaces, control characters).
    /// </summary>
    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
