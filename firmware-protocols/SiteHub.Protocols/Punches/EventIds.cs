using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SiteHub.Protocols.Punches;

/// <summary>
/// Deterministic punch ids. A device that resends a record after a lost ack, or a gateway that
/// replays after a crash, produces the same id again, which is what lets every sink dedupe.
/// </summary>
public static class EventIds
{
    /// <summary>The id of a record the device numbered itself: <c>{sn}:{seq}</c>.</summary>
    public static string FromDeviceSequence(string sn, long seq) =>
        string.Create(CultureInfo.InvariantCulture, $"{sn}:{seq}");

    /// <summary>
    /// The id of a record without a device number: <c>{sn}:h{16 hex digits}</c>, a hash of serial,
    /// instant (UTC, to the tick) and person. The offset does not count: the same instant written
    /// with another offset is the same record.
    /// </summary>
    public static string FromContent(string sn, DateTimeOffset occurredAt, string person)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{sn}|{occurredAt.UtcTicks}|{person}");
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return string.Create(CultureInfo.InvariantCulture, $"{sn}:h{BinaryPrimitives.ReadUInt64BigEndian(hash):x16}");
    }
}
