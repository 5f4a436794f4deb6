namespace SiteHub.Gateway.Outbox;

/// <summary>
/// A run of consecutive outbox seqs committed together (one commit group, at most
/// <see cref="OutboxStore.SegmentCapacity"/> punches) that the hub has not acked in full yet,
/// with which of its punches are delivered. Kept in memory for every segment with pending punches;
/// mutated only under the store's lock.
/// </summary>
internal sealed class PendingSegment
{
    private readonly bool[] _delivered;

    public PendingSegment(long first, int count, DateTimeOffset firstReceivedAt, byte[]? deliveredMap = null)
    {
        First = first;
        FirstReceivedAt = firstReceivedAt;
        _delivered = new bool[count];
        if (deliveredMap is not null)
        {
            for (var i = 0; i < count && i < deliveredMap.Length; i++)
            {
                _delivered[i] = deliveredMap[i] != 0;
                DeliveredCount += _delivered[i] ? 1 : 0;
            }
        }
    }

    public long First { get; }

    public int Count => _delivered.Length;

    public long Last => First + Count - 1;

    public DateTimeOffset FirstReceivedAt { get; }

    public int DeliveredCount { get; private set; }

    public int PendingCount => Count - DeliveredCount;

    public bool IsComplete => DeliveredCount == Count;

    public bool Contains(long seq) => seq >= First && seq <= Last;

    public bool IsDelivered(long seq) => _delivered[seq - First];

    /// <summary>Marks <paramref name="seq"/> delivered; false when it already was.</summary>
    public bool MarkDelivered(long seq)
    {
        if (_delivered[seq - First])
        {
            return false;
        }

        _delivered[seq - First] = true;
        DeliveredCount++;
        return true;
    }

    /// <summary>One byte per punch, 1 when delivered: what is stored for a partly delivered segment.</summary>
    public byte[] DeliveredMap() => Array.ConvertAll(_delivered, d => d ? (byte)1 : (byte)0);
}

/// <summary>
/// The event ids of the most recent punches (a bounded window, oldest forgotten first), so that a
/// device resending a message whose PUBACK it missed is recognised without an index lookup on
/// disk. A resend older than the window is stored again and deduplicated by the hub, which keeps
/// every event id.
/// </summary>
/// <remarks>
/// Exact: the ids themselves are kept (in pages of 64 KiB filled and released in arrival order)
/// and compared byte for byte; a hash only picks where to look. The bytes are lossless: an ASCII id
/// (what devices send) as its characters, any other as a marker byte and its UTF-16 code units. About 40 bytes per id
/// (its bytes, 12 bytes of position and length, an index slot), where a <c>HashSet&lt;string&gt;</c>
/// and a queue of the strings took about 100: a full window of 100,000 ids is ~4 MiB instead of
/// ~10. The arrays grow with the ids held, up to the capacity. Not thread-safe (the outbox's commit
/// thread owns it).
/// </remarks>
public sealed class RecentEventIds
{
    private const int PageBytes = 64 * 1024;
    private const int MinSlots = 1024;

    // Pages in the order they were started; _pages[i] is page number _pagesDropped + i, the last
    // one is being filled. Pages whose ids were all forgotten are dropped from the front.
    private readonly List<byte[]> _pages = [];
    private long _pagesDropped;
    private int _newestPageUsed;

    // A ring of the ids held, oldest at _head: page number and offset of each id's bytes, and its length.
    private long[] _where = [];
    private int[] _length = [];
    private int _head;

    // Open addressing with linear probing: ring slot + 1, 0 for empty; at most half full.
    private int[] _index = [];

    public RecentEventIds(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count { get; private set; }

    public bool Contains(string eventId)
    {
        if (Count == 0)
        {
            return false;
        }

        byte[]? rented = null;
        var bytes = Encode(eventId, eventId.Length <= 127 ? stackalloc byte[256] : default, ref rented);
        var found = Find(bytes, Hash(bytes)) >= 0;
        Return(rented);
        return found;
    }

    /// <summary>Remembers <paramref name="eventId"/>, forgetting the oldest when full; false when it is already known.</summary>
    public bool Add(string eventId)
    {
        byte[]? rented = null;
        var bytes = Encode(eventId, eventId.Length <= 127 ? stackalloc byte[256] : default, ref rented);
        try
        {
            var hash = Hash(bytes);
            if (Count > 0 && Find(bytes, hash) >= 0)
            {
                return false;
            }

            if (Count == Capacity)
            {
                RemoveOldest();
            }
            else if (Count == _where.Length)
            {
                Grow();
            }

            var slot = (_head + Count) % _where.Length;
            _where[slot] = Store(bytes);
            _length[slot] = bytes.Length;
            Count++;
            Insert(slot, hash);
            return true;
        }
        finally
        {
            Return(rented);
        }
    }

    public void Clear()
    {
        _pages.Clear();
        _pagesDropped = 0;
        _newestPageUsed = 0;
        _where = [];
        _length = [];
        _index = [];
        _head = 0;
        Count = 0;
    }

    /// <summary>
    /// Equal bytes if and only if equal ids: ASCII as is; anything else as 0xFF (never in ASCII)
    /// and the raw UTF-16, which keeps what UTF-8 would not (an unpaired surrogate).
    /// </summary>
    private static ReadOnlySpan<byte> Encode(string eventId, Span<byte> buffer, ref byte[]? rented)
    {
        if (buffer.IsEmpty)
        {
            buffer = rented = System.Buffers.ArrayPool<byte>.Shared.Rent(1 + (eventId.Length * 2));
        }

        if (System.Text.Ascii.FromUtf16(eventId, buffer, out var written) == System.Buffers.OperationStatus.Done)
        {
            return buffer[..written];
        }

        buffer[0] = 0xFF;
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(eventId.AsSpan()).CopyTo(buffer[1..]);
        return buffer[..(1 + (eventId.Length * 2))];
    }

    private static void Return(byte[]? rented)
    {
        if (rented is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        var hash = default(HashCode); // seeded per process: crafted ids cannot aim at one chain
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }

    private ReadOnlySpan<byte> BytesAt(int slot)
    {
        var where = _where[slot];
        return _pages[(int)((where >> 32) - _pagesDropped)].AsSpan((int)(where & 0xFFFF_FFFF), _length[slot]);
    }

    /// <summary>The ring slot holding <paramref name="bytes"/>, or -1.</summary>
    private int Find(ReadOnlySpan<byte> bytes, int hash)
    {
        var mask = _index.Length - 1;
        for (var i = hash & mask; _index[i] != 0; i = (i + 1) & mask)
        {
            var slot = _index[i] - 1;
            if (_length[slot] == bytes.Length && BytesAt(slot).SequenceEqual(bytes))
            {
                return slot;
            }
        }

        return -1;
    }

    private void Insert(int slot, int hash)
    {
        var mask = _index.Length - 1;
        var i = hash & mask;
        while (_index[i] != 0)
        {
            i = (i + 1) & mask;
        }

        _index[i] = slot + 1;
    }

    private long Store(ReadOnlySpan<byte> bytes)
    {
        if (_pages.Count == 0 || _pages[^1].Length - _newestPageUsed < bytes.Length)
        {
            _pages.Add(new byte[Math.Max(PageBytes, bytes.Length)]);
            _newestPageUsed = 0;
        }

        var where = ((_pagesDropped + _pages.Count - 1) << 32) | (uint)_newestPageUsed;
        bytes.CopyTo(_pages[^1].AsSpan(_newestPageUsed));
        _newestPageUsed += bytes.Length;
        return where;
    }

    private void RemoveOldest()
    {
        var slot = _head;
        var mask = _index.Length - 1;
        var i = Hash(BytesAt(slot)) & mask;
        while (_index[i] != slot + 1)
        {
            i = (i + 1) & mask;
        }

        // Backward-shift deletion: move later entries of the probe run into the hole so that no
        // lookup stops early at it (no tombstones to accumulate).
        var hole = i;
        for (var j = (i + 1) & mask; _index[j] != 0; j = (j + 1) & mask)
        {
            var home = Hash(BytesAt(_index[j] - 1)) & mask;
            if (((j - home) & mask) >= ((j - hole) & mask))
            {
                _index[hole] = _index[j];
                hole = j;
            }
        }

        _index[hole] = 0;
        _head = (_head + 1) % _where.Length;
        Count--;
        var unused = (int)((Count == 0 ? _pagesDropped + _pages.Count - 1 : _where[_head] >> 32) - _pagesDropped);
        if (unused > 0)
        {
            _pages.RemoveRange(0, unused); // a few dozen references moved, once per 64 KiB of ids
            _pagesDropped += unused;
        }
    }

    private void Grow()
    {
        var slots = (int)Math.Min(Capacity, Math.Max(MinSlots, (long)_where.Length * 2));
        var where = new long[slots];
        var length = new int[slots];
        for (var k = 0; k < Count; k++)
        {
            var from = (_head + k) % _where.Length;
            where[k] = _where[from];
            length[k] = _length[from];
        }

        _where = where;
        _length = length;
        _head = 0;
        _index = new int[(int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)slots * 2)];
        for (var k = 0; k < Count; k++)
        {
            Insert(k, Hash(BytesAt(k)));
        }
    }
}
