namespace SiteHub.Hub.Ingest;

/// <summary>
/// The punches of the latest durable commits, as committed, for what follows the punch store
/// closely (the attendance store, the InfluxDB sink): reading them back from <c>hub.db</c> decoded
/// every punch again from LiteDB's pages, once per follower, moments after the commit thread had
/// them in hand. A follower further behind than this holds reads the file, as before.
/// </summary>
/// <remarks>
/// Holds only a run of consecutive hub sequences: a commit that does not follow on from the last
/// one held (a commit that failed after reaching the file, then the store reopened) empties it,
/// so what it answers is always exactly what the file would. Bounded by <see cref="Capacity"/>
/// punches, whole commits dropped oldest first; kept small because what it holds survives the
/// young generations of the collector. Thread-safe: the store's commit thread appends, followers read.
/// </remarks>
public sealed class RecentPunches(int capacity)
{
    private readonly Lock _lock = new();
    private readonly Queue<IReadOnlyList<StoredPunch>> _commits = new();
    private int _count;
    private long _lastSeq;

    /// <summary>Most punches held (whole commits are dropped once past it).</summary>
    public int Capacity { get; } = capacity;

    /// <summary>Adds a durable commit's punches (sequences ascending and consecutive).</summary>
    public void Append(IReadOnlyList<StoredPunch> committed)
    {
        if (committed.Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            if (_commits.Count > 0 && _lastSeq + 1 != committed[0].Seq)
            {
                _commits.Clear();
                _count = 0;
            }

            _commits.Enqueue(committed);
            _count += committed.Count;
            _lastSeq = committed[^1].Seq;
            while (_count > Capacity && _commits.Count > 1)
            {
                _count -= _commits.Dequeue().Count;
            }
        }
    }

    /// <summary>Forgets everything held (the next commit starts a new run).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _commits.Clear();
            _count = 0;
        }
    }

    /// <summary>
    /// Up to <paramref name="limit"/> punches after <paramref name="afterSeq"/>, in order, when this
    /// holds the punch right after it; false when it does not (the caller reads the file). An
    /// empty list means nothing was committed after <paramref name="afterSeq"/> yet.
    /// </summary>
    public bool TryReadAfter(long afterSeq, int limit, out List<StoredPunch> punches)
    {
        lock (_lock)
        {
            punches = [];
            if (_commits.Count == 0 || afterSeq + 1 < _commits.Peek()[0].Seq)
            {
                return false;
            }

            foreach (var commit in _commits)
            {
                if (commit[^1].Seq <= afterSeq)
                {
                    continue;
                }

                // Consecutive sequences: the punch after afterSeq is at a known index.
                for (var i = (int)Math.Max(0, afterSeq + 1 - commit[0].Seq); i < commit.Count && punches.Count < limit; i++)
                {
                    punches.Add(commit[i]);
                }

                if (punches.Count == limit)
                {
                    break;
                }
            }

            return true;
        }
    }
}
