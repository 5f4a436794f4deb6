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
public sealed class RecentEventIds(int capacity)
{
    private readonly HashSet<string> _ids = new(capacity, StringComparer.Ordinal);
    private readonly Queue<string> _order = new(capacity);

    public int Capacity { get; } = capacity;

    public int Count => _ids.Count;

    public bool Contains(string eventId) => _ids.Contains(eventId);

    /// <summary>Remembers <paramref name="eventId"/>, forgetting the oldest when full; false when it is already known.</summary>
    public bool Add(string eventId)
    {
        if (!_ids.Add(eventId))
        {
            return false;
        }

        _order.Enqueue(eventId);
        if (_order.Count > Capacity)
        {
            _ids.Remove(_order.Dequeue());
        }

        return true;
    }

    public void Clear()
    {
        _ids.Clear();
        _order.Clear();
    }
}
