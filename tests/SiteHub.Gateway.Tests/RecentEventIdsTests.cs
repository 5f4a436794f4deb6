using CsCheck;
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

    [Fact]
    public void Ids_that_differ_only_where_UTF8_could_not_say_how_are_different_ids()
    {
        var recent = new RecentEventIds(10);

        Assert.True(recent.Add("SN\uD800:1"));
        Assert.True(recent.Add("SN\uDC00:1"));
        Assert.True(recent.Add("SN\uFFFD:1"));
        Assert.True(recent.Add("SN?:1"));
        Assert.False(recent.Add("SN\uD800:1"));
        Assert.Equal(4, recent.Count);
    }

    [Fact]
    public void Answers_like_a_set_and_a_queue_of_the_ids_for_any_sequence_of_adds()
    {
        // Few distinct ids, so that repeats, evictions and re-adds after eviction all happen;
        // some long (past the stack buffer) and some not ASCII.
        var ids = Gen.OneOf(
            Gen.Int[0, 40].Select(i => "SN" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Gen.Int[0, 5].Select(i => new string('x', 200) + i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Gen.Int[0, 5].Select(i => "考勤机" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Gen.Char[(char)0xD7FE, (char)0xE001].Select(c => "SN" + c));
        Gen.Select(Gen.Int[1, 30], ids.Array[0, 300]).Sample((capacity, adds) =>
        {
            var recent = new RecentEventIds(capacity);
            var set = new HashSet<string>(StringComparer.Ordinal);
            var order = new Queue<string>();
            foreach (var id in adds)
            {
                var expected = set.Add(id);
                if (expected)
                {
                    order.Enqueue(id);
                    if (order.Count > capacity)
                    {
                        set.Remove(order.Dequeue());
                    }
                }

                if (recent.Add(id) != expected || recent.Count != set.Count)
                {
                    return false;
                }
            }

            return adds.Distinct().All(id => recent.Contains(id) == set.Contains(id));
        });
    }

    [Fact]
    public void A_full_window_over_many_pages_keeps_exactly_the_newest_ids()
    {
        const int capacity = 20_000;
        var recent = new RecentEventIds(capacity);
        static string Id(int i) => $"DEVICE-SERIAL-{i % 200:D4}:h{(ulong)i * 0x9E3779B97F4A7C15UL:x16}";

        for (var i = 0; i < 150_000; i++)
        {
            Assert.True(recent.Add(Id(i)));
        }

        Assert.Equal(capacity, recent.Count);
        for (var i = 0; i < 150_000; i++)
        {
            Assert.Equal(i >= 150_000 - capacity, recent.Contains(Id(i)));
        }

        Assert.False(recent.Add(Id(149_999)));
        recent.Clear();
        Assert.Equal(0, recent.Count);
        Assert.False(recent.Contains(Id(149_999)));
        Assert.True(recent.Add(Id(149_999)));
    }
}
