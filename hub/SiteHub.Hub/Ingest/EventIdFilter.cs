using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace SiteHub.Hub.Ingest;

/// <summary>
/// Which event ids may have been stored: never "no" for one that was added, rarely "maybe" for
/// one that was not. The punch store asks it before the dedupe index: almost every punch is new,
/// and proving that with LiteDB's index (a walk down its skip list per id) was a fifth of the
/// commit thread's time. Only the ids it answers "maybe" for are looked up in the index, which
/// stays the truth; so a wrong "maybe" costs a lookup and nothing else.
/// </summary>
/// <remarks>
/// A scalable blocked Bloom filter: each id sets <see cref="ProbesPerId"/> bits in one 512-bit
/// block (one cache line) of the newest filter; when a filter has taken its capacity a new one of
/// twice the size is started, so nothing is ever rebuilt. 16 bits of memory per id: about 0.1%
/// false "maybe" per filter (they add up over a chain of filters, which is why the store sizes
/// the first for twice what it holds), ~2 bytes per stored punch. Kept in memory only and filled from
/// the store when it opens. Not thread-safe: the commit thread owns it.
/// </remarks>
public sealed class EventIdFilter
{
    private const int ProbesPerId = 8;
    private const int MemoryBitsPerId = 16;
    private const int WordsPerBlock = 8; // 8 × 64 bits = 512 bits, one cache line

    private readonly List<Filter> _filters = [];

    /// <param name="initialCapacity">Ids the first filter takes before a larger one is started.</param>
    public EventIdFilter(int initialCapacity = 1 << 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialCapacity, 1024);
        _filters.Add(new Filter(initialCapacity));
    }

    /// <summary>Ids added.</summary>
    public long Count { get; private set; }

    /// <summary>Bytes held by the filters.</summary>
    public long Bytes => _filters.Sum(f => (long)f.Words.Length * sizeof(ulong));

    public void Add(string eventId)
    {
        var current = _filters[^1];
        if (current.Count >= current.Capacity)
        {
            current = new Filter(checked(current.Capacity * 2));
            _filters.Add(current);
        }

        current.Add(Hash(eventId));
        Count++;
    }

    /// <summary>False only when <paramref name="eventId"/> was certainly never added.</summary>
    public bool MayContain(string eventId)
    {
        var hash = Hash(eventId);
        foreach (var filter in _filters)
        {
            if (filter.MayContain(hash))
            {
                return true;
            }
        }

        return false;
    }

    private static ulong Hash(string eventId) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(eventId.AsSpan()));

    private sealed class Filter(int capacity)
    {
        public readonly ulong[] Words = new ulong[Math.Max(1, (long)capacity * MemoryBitsPerId / 64 / WordsPerBlock) * WordsPerBlock];

        public int Capacity { get; } = capacity;

        public int Count { get; private set; }

        public void Add(ulong hash)
        {
            var block = Block(hash);
            var (h1, h2) = Probes(hash);
            for (uint i = 0; i < ProbesPerId; i++)
            {
                var bit = (h1 + (i * h2)) & 511;
                Words[block + (int)(bit >> 6)] |= 1UL << (int)(bit & 63);
            }

            Count++;
        }

        public bool MayContain(ulong hash)
        {
            var block = Block(hash);
            var (h1, h2) = Probes(hash);
            for (uint i = 0; i < ProbesPerId; i++)
            {
                var bit = (h1 + (i * h2)) & 511;
                if ((Words[block + (int)(bit >> 6)] & (1UL << (int)(bit & 63))) == 0)
                {
                    return false;
                }
            }

            return true;
        }

        // The block from the hash's high bits, scaled without a division (Lemire's fast range).
        private int Block(ulong hash) => (int)((hash >> 32) * (ulong)(Words.Length / WordsPerBlock) >> 32) * WordsPerBlock;

        // The bits within the block by double hashing: a start from the low bits, a stride (odd)
        // from the whole hash remixed, so ids sharing a block do not share a stride.
        private static (uint Start, uint Stride) Probes(ulong hash) => ((uint)hash, (uint)((hash * 0x9E3779B97F4A7C15UL) >> 32) | 1);
    }
}
