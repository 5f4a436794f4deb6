using SiteHub.Gateway.Ingest;

namespace SiteHub.Gateway.Tests;

/// <summary>The bound on device payload bytes being decoded and committed at once.</summary>
public sealed class PayloadAdmissionTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Messages_over_the_limit_wait_and_are_admitted_in_arrival_order()
    {
        var admission = new PayloadAdmission(100);
        var first = await admission.EnterAsync(60, Token);
        var large = admission.EnterAsync(70, Token).AsTask();
        var small = admission.EnterAsync(10, Token).AsTask(); // fits now, but the large one came first

        Assert.False(large.IsCompleted);
        Assert.False(small.IsCompleted);

        admission.Release(first);
        Assert.Equal(70, await large);
        Assert.Equal(10, await small);
    }

    [Fact]
    public async Task A_message_larger_than_the_limit_takes_all_of_it()
    {
        var admission = new PayloadAdmission(100);
        var huge = await admission.EnterAsync(5_000, Token);
        var next = admission.EnterAsync(1, Token).AsTask();

        Assert.Equal(100, huge);
        Assert.False(next.IsCompleted);
        admission.Release(huge);
        Assert.Equal(1, await next);
    }

    [Fact]
    public async Task A_cancelled_wait_gives_way_to_the_next_in_line()
    {
        var admission = new PayloadAdmission(100);
        var held = await admission.EnterAsync(50, Token);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var cancelled = admission.EnterAsync(80, cancel.Token).AsTask();
        var behind = admission.EnterAsync(40, Token).AsTask();
        Assert.False(behind.IsCompleted);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(40, await behind);
        admission.Release(held);
        Assert.Equal(60, await admission.EnterAsync(60, Token)); // the cancelled wait took nothing: 10 left and 50 given back
    }
}
