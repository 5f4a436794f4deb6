namespace SiteHub.Gateway.Ingest;

/// <summary>
/// Bounds the bytes of device payloads being decoded and committed at once. Each waiting message
/// becomes decoded punches (a few hundred bytes each, twice: the device's record and the outbox's)
/// that live until their commit; when 200 devices flush their caches together (200 punches per
/// message) that was 40,000–50,000 punches in memory at once. A message over the limit waits here,
/// before it is decoded, and its device waits for its ack as it would for the commit; its
/// connection reads nothing more meanwhile, so the rest stays in the socket buffers. Grants go in
/// arrival order, so a large message is not starved by small ones; one larger than the whole
/// limit waits for all of it.
/// </summary>
public sealed class PayloadAdmission(int capacityBytes)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiting = new();
    private int _available = capacityBytes;

    /// <summary>Bytes that can be admitted at once.</summary>
    public int Capacity { get; } = capacityBytes;

    /// <summary>Waits until <paramref name="bytes"/> (at most <see cref="Capacity"/>) are free and takes them; give them back with <see cref="Release"/>.</summary>
    /// <returns>What was taken, to pass to <see cref="Release"/>.</returns>
    public async ValueTask<int> EnterAsync(int bytes, CancellationToken cancellationToken)
    {
        var weight = Math.Clamp(bytes, 1, Capacity);
        LinkedListNode<Waiter> node;
        lock (_lock)
        {
            if (_waiting.Count == 0 && _available >= weight)
            {
                _available -= weight;
                return weight;
            }

            node = _waiting.AddLast(new Waiter(weight, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)));
        }

        using (cancellationToken.Register(() => Cancel(node, cancellationToken)))
        {
            await node.Value.Granted.Task;
        }

        return weight;
    }

    /// <summary>Gives back what <see cref="EnterAsync"/> took and admits whoever now fits, in order.</summary>
    public void Release(int taken)
    {
        lock (_lock)
        {
            _available += taken;
            GrantInOrder();
        }
    }

    private void Cancel(LinkedListNode<Waiter> node, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            // Already granted: the caller goes on and releases as usual.
            if (node.List is null)
            {
                return;
            }

            _waiting.Remove(node);
            node.Value.Granted.SetCanceled(cancellationToken);

            // The next in line may have been held back only by this one.
            GrantInOrder();
        }
    }

    // Under _lock.
    private void GrantInOrder()
    {
        while (_waiting.First is { } first && _available >= first.Value.Weight)
        {
            _available -= first.Value.Weight;
            _waiting.RemoveFirst();
            first.Value.Granted.SetResult();
        }
    }

    private sealed record Waiter(int Weight, TaskCompletionSource Granted);
}
