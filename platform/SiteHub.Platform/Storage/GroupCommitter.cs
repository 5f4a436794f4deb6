using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using SiteHub.Platform.Telemetry;

namespace SiteHub.Platform.Storage;

/// <summary>
/// Turns many small durable writes into few fsync'd commits. Callers submit one item and await
/// its result; a single writer thread takes whatever is queued (up to <c>maxGroup</c>), commits it
/// in one transaction, and only then completes the callers' tasks. Under load the group grows by
/// itself (items queue up while the previous fsync runs), so no fixed delay is needed.
/// </summary>
/// <remarks>
/// On failure (disk full, read-only, I/O error) every caller of that group gets the exception,
/// so no one acks what did not reach the disk; the writer goes on with the next group, which is
/// how it resumes when the disk is writable again. <see cref="Healthy"/> says how the last commit went.
/// </remarks>
public sealed class GroupCommitter<TItem, TResult> : IDisposable
{
    private readonly Channel<Pending> _queue;
    private readonly Func<IReadOnlyList<TItem>, IReadOnlyList<TResult>> _commitGroup;
    private readonly int _maxGroup;
    private readonly Func<TItem, int>? _weight;
    private readonly int _maxWeight;
    private readonly TimeSpan _linger;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly Thread _writer;
    private readonly Action? _afterAcks;
    private static readonly System.Diagnostics.Metrics.Histogram<int> GroupSizes =
        SiteHubTelemetry.StorageMeter.CreateHistogram<int>("sitehub_commit_group_size", "{item}", "Items committed together under one fsync");
    private static readonly System.Diagnostics.Metrics.Histogram<double> CommitLatency =
        SiteHubTelemetry.StorageMeter.CreateHistogram<double>("sitehub_commit_duration", "ms", "Time of one group commit, fsync included");
    private static readonly System.Diagnostics.Metrics.Counter<long> CommitFailures =
        SiteHubTelemetry.StorageMeter.CreateCounter<long>("sitehub_commit_failures", "{commit}", "Group commits that failed (nothing in them was acked)");

    /// <param name="name">For logs and thread names.</param>
    /// <param name="commitGroup">Writes the items in one transaction and returns one result per item, in order; must make them durable before it returns.</param>
    /// <param name="maxGroup">Most items in one commit.</param>
    /// <param name="linger">How long to wait for more items after the first (zero: commit what is queued now).</param>
    /// <param name="logger">Where failures are logged.</param>
    /// <param name="weight">What an item weighs (say, the punches in it); null: every item weighs 1.</param>
    /// <param name="maxWeight">
    /// Most weight in one commit; the item that reaches it still joins, so a group is never empty.
    /// A group's memory (its items, what the commit builds from them, the pages of its
    /// transaction) grows with its weight, not its item count.
    /// </param>
    /// <param name="afterAcks">Upkeep run after each group's acks are released and before the next group (a checkpoint), so no ack waits for it; a failure is logged.</param>
    public GroupCommitter(string name, Func<IReadOnlyList<TItem>, IReadOnlyList<TResult>> commitGroup, int maxGroup, TimeSpan linger, ILogger logger,
        Func<TItem, int>? weight = null, int maxWeight = int.MaxValue, Action? afterAcks = null)
    {
        _name = name;
        _afterAcks = afterAcks;
        _commitGroup = commitGroup;
        _maxGroup = maxGroup;
        _weight = weight;
        _maxWeight = maxWeight;
        _linger = linger;
        _logger = logger;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(Math.Max(maxGroup * 64, 10_000))
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "commit:" + name };
        _writer.Start();
    }

    /// <summary>False after a commit failed, true again after one succeeds.</summary>
    public bool Healthy { get; private set; } = true;

    /// <summary>The last failure, if the last commit failed.</summary>
    public string? LastError { get; private set; }

    /// <summary>Commits so far.</summary>
    public long Commits { get; private set; }

    /// <summary>Items in the last commit.</summary>
    public int LastGroupSize { get; private set; }

    /// <summary>How long the last commit took, fsync included.</summary>
    public TimeSpan LastCommitDuration { get; private set; }

    /// <summary>Queues an item; the task completes once it is durable (or faults if the commit failed).</summary>
    public async Task<TResult> SubmitAsync(TItem item, CancellationToken cancellationToken = default)
    {
        var pending = new Pending(item, new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        return await pending.Done.Task;
    }

    private void WriteLoop()
    {
        var reader = _queue.Reader;
        var group = new List<Pending>(_maxGroup);
        var items = new List<TItem>(_maxGroup);
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            group.Clear();
            items.Clear();
            var weight = 0L;
            Fill(reader, group, ref weight);
            if (_linger > TimeSpan.Zero && group.Count < _maxGroup && weight < _maxWeight)
            {
                var until = Stopwatch.GetTimestamp() + (long)(_linger.TotalSeconds * Stopwatch.Frequency);
                while (group.Count < _maxGroup && weight < _maxWeight && Stopwatch.GetTimestamp() < until)
                {
                    Thread.Yield();
                    Fill(reader, group, ref weight);
                }
            }

            foreach (var pending in group)
            {
                items.Add(pending.Item);
            }

            Commit(group, items);
            AfterAcks();
        }
    }

    // Upkeep that must not delay the acks of the group just committed (a checkpoint); the next
    // group waits for it, as it would have inside the commit.
    private void AfterAcks()
    {
        try
        {
            _afterAcks?.Invoke();
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Upkeep after a commit to {Store} failed; the next commit tries again", _name);
        }
    }

    private void Fill(ChannelReader<Pending> reader, List<Pending> group, ref long weight)
    {
        while (group.Count < _maxGroup && weight < _maxWeight && reader.TryRead(out var pending))
        {
            group.Add(pending);
            weight += _weight?.Invoke(pending.Item) ?? 1;
        }
    }

    private void Commit(List<Pending> group, List<TItem> items)
    {
        var started = Stopwatch.GetTimestamp();
        IReadOnlyList<TResult> results;
        try
        {
            results = _commitGroup(items);
            if (results.Count != items.Count)
            {
                throw new InvalidOperationException($"{_name}: commit returned {results.Count} results for {items.Count} items.");
            }
        }
        catch (Exception ex)
        {
            Healthy = false;
            LastError = ex.Message;
            CommitFailures.Add(1, new KeyValuePair<string, object?>("store", _name));
            _logger.LogError(ex, "Commit of {Count} items to {Store} failed; nothing in it is acknowledged", items.Count, _name);
            foreach (var pending in group)
            {
                pending.Done.TrySetException(ex);
            }

            return;
        }

        Healthy = true;
        LastError = null;
        Commits++;
        LastGroupSize = items.Count;
        LastCommitDuration = Stopwatch.GetElapsedTime(started);
        var store = new KeyValuePair<string, object?>("store", _name);
        GroupSizes.Record(items.Count, store);
        CommitLatency.Record(LastCommitDuration.TotalMilliseconds, store);
        for (var i = 0; i < group.Count; i++)
        {
            group[i].Done.TrySetResult(results[i]);
        }
    }

    /// <summary>Stops taking items and waits for the writer to commit what is queued.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _writer.Join(TimeSpan.FromSeconds(30));
    }

    private sealed record Pending(TItem Item, TaskCompletionSource<TResult> Done);
}
