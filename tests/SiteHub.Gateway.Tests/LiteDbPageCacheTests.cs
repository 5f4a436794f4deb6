using LiteDB;
using SiteHub.Platform.Storage;
using SiteHub.Testing;

namespace SiteHub.Gateway.Tests;

/// <summary>The gateway's bound on LiteDB's page cache (see <see cref="GatewayApp.LiteDbCacheSegmentPages"/>), against a real file.</summary>
public sealed class LiteDbPageCacheTests
{
    [Fact]
    public void A_busy_database_keeps_a_bounded_page_cache_and_all_its_data()
    {
        // False would mean a LiteDB upgrade moved the array: the gateway's memory would grow again unnoticed.
        Assert.True(DurableLiteDatabase.LimitPageCache(GatewayApp.LiteDbCacheSegmentPages));
        using var folder = new TempFolder();
        using var db = DurableLiteDatabase.Open(Path.Combine(folder.Path, "busy.db"));
        var docs = db.Database.GetCollection("docs");

        // 100 commits of 20 documents of 4 KB: 8 MB through the log, about 1,000 distinct pages,
        // which LiteDB's own segment sizes would all keep cached (it grows to 1,662 pages).
        for (var commit = 0; commit < 100; commit++)
        {
            db.BeginTransaction();
            for (var i = 0; i < 20; i++)
            {
                docs.Insert(new BsonDocument { ["_id"] = (commit * 20) + i, ["data"] = new string((char)('a' + (i % 26)), 4000) });
            }

            db.CommitDurably();
        }

        Assert.Equal(2000, docs.Count());
        Assert.Equal(new string('h', 4000), docs.FindById(1207)["data"].AsString);
        var cached = db.CachedPages();
        Assert.NotNull(cached);
        Assert.InRange(cached.Value, 1, 400);
    }
}
