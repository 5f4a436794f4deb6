using SiteHub.Hub.Ingest;

namespace SiteHub.Hub.Tests;

public sealed class EventIdFilterTests
{
    [Fact]
    public void Every_id_added_may_be_contained_across_growth_and_few_others_are()
    {
        var filter = new EventIdFilter(initialCapacity: 4096);
        var added = Enumerable.Range(0, 100_000).Select(n => $"site-a-D{n % 37}-{n}").ToList();
        foreach (var id in added)
        {
            filter.Add(id);
        }

        Assert.All(added, id => Assert.True(filter.MayContain(id), id));
        Assert.Equal(100_000, filter.Count);

        // Five filters now (4,096 doubling past 100,000): about 0.1% false "maybe" each.
        var falseMaybes = Enumerable.Range(0, 100_000).Count(n => filter.MayContain($"site-b-D{n % 37}-{n}"));
        Assert.InRange(falseMaybes, 0, 1_000);
    }

    [Fact]
    public void Ids_differing_only_in_case_or_one_character_are_told_apart()
    {
        var filter = new EventIdFilter();
        filter.Add("d1-000001");

        Assert.True(filter.MayContain("d1-000001"));
        Assert.False(filter.MayContain("D1-000001"));
        Assert.False(filter.MayContain("d1-000002"));
        Assert.False(filter.MayContain(""));
    }
}
