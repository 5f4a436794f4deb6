using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
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
        // The hashed text is "{sn}|{UTC ticks}|{person}" in UTF-8, written straight into a stack
        // buffer: only the id itself is allocated (this runs for every ZKTeco record).
        var max = Encoding.UTF8.GetMaxByteCount(sn.Length + person.Length) + 24;
        byte[]? rented = null;
        var text = max <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(max));
        var length = Encoding.UTF8.GetBytes(sn, text);
        text[length++] = (byte)'|';
        Utf8Formatter.TryFormat(occurredAt.UtcTicks, text[length..], out var written);
        length += written;
        text[length++] = (byte)'|';
        length += Encoding.UTF8.GetBytes(person, text[length..]);

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(text[..length], hash);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return string.Create(CultureInfo.InvariantCulture, $"{sn}:h{BinaryPrimitives.ReadUInt64BigEndian(hash):x16}");
    }
}
