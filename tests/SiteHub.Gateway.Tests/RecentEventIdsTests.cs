using SiteHub.Gateway.Outbox;

namespace SiteHub.Gateway.Tests;

public sealed class RecentEventIdsTests
{
    [Fact]
    public void Remembers_the_most_recent_ids_and_forgets_the_oldest_first()
    {
        var recent = new RecentEventIds(3);

        Assert.True(recent.Add("a"));
        Assert.True(recent.Add("b"));
        Assert.False(recent.Add("a"));
        Assert.True(recent.Add("c"));
        Assert.True(recent.Add("d"));

        Assert.False(recent.Contains("a"));
        Assert.True(recent.Contains("b"));
        Assert.True(recent.Contains("d"));
        Assert.Equal(3, recent.Count);
    }
}
