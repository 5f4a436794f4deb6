using System.Globalization;
using LiteDB;
using SiteHub.Platform.Storage;
using SiteHub.Testing;

namespace SiteHub.Gateway.Tests;

/// <summary>
/// The gateway's files compare keys ordinally ignoring case, and files created with a culture's
/// order are rebuilt into it (<see cref="CaseInsensitiveKeys"/>), against real files.
/// </summary>
public sealed class CaseInsensitiveKeysTests
{
    /// <summary>Keys whose order differs between ICU's collation and ordinal comparison (see the class's remarks).</summary>
    private static readonly string[] EventIds = ["SN1:5", "SN10:5", "SN_1:1", "SNA:1", "sn2:7", "扫码:1", "Ünïcode:3"];

    [Fact]
    public void A_file_created_with_a_culture_is_rebuilt_with_every_document_index_and_version_even_those_only_in_its_log()
    {
        using var folder = new TempFolder();
        var file = Path.Combine(folder.Path, "outbox.db");
        var image = Path.Combine(folder.Path, "image");
        using (var db = DurableLiteDatabase.Open(file, collation: new Collation("en-US/IgnoreCase")))
        {
            db.Database.UserVersion = 3;
            var punches = db.Database.GetCollection("punches");
            punches.EnsureIndex("eventId", "$.eventId", unique: true);
            punches.EnsureIndex("gate", "LOWER($.gate)", unique: false);
            db.BeginTransaction();
            for (var i = 0; i < EventIds.Length; i++)
            {
                punches.Insert(new BsonDocument { ["_id"] = i + 1L, ["eventId"] = EventIds[i], ["gate"] = i % 2 == 0 ? "North" : "South", ["at"] = new DateTime(2026, 11, 27, 5, i, 0, DateTimeKind.Utc) });
            }

            db.CommitDurably(checkpoint: false);
            db.Database.GetCollection("devices").Insert(new BsonDocument { ["_id"] = "DEV-1", ["protocol"] = "zk" });
            db.CommitDurably(checkpoint: false);

            // What a crash would leave: the last commits only in the log.
            Directory.CreateDirectory(image);
            File.Copy(file, Path.Combine(image, "outbox.db"));
            File.Copy(db.LogFile, Path.Combine(image, "outbox-log.db"));
        }

        var crashed = Path.Combine(image, "outbox.db");
        using var logs = new CapturedLogs();
        using (var rebuilt = CaseInsensitiveKeys.Open(crashed, logs.CreateLogger("test")))
        {
            Assert.True(CaseInsensitiveKeys.IsCaseInsensitiveOrdinal(rebuilt));
            Assert.Equal(3, rebuilt.Database.UserVersion);
            var punches = rebuilt.Database.GetCollection("punches");
            Assert.Equal(EventIds.Length, punches.Count());
            foreach (var id in EventIds)
            {
                // Through the index, and ignoring case as before.
                Assert.Equal(id, punches.FindOne(Query.EQ("eventId", id.ToUpperInvariant()))?["eventId"].AsString);
            }

            Assert.Equal(4, punches.Count(Query.EQ("LOWER($.gate)", "north")));
            Assert.Equal(new DateTime(2026, 11, 27, 5, 2, 0, DateTimeKind.Utc), punches.FindById(3L)["at"].AsDateTime.ToUniversalTime());
            Assert.Equal("zk", rebuilt.Database.GetCollection("devices").FindById("dev-1")["protocol"].AsString);
            var indexes = rebuilt.Database.GetCollection("$indexes").Find(Query.EQ("collection", "punches")).ToDictionary(i => i["name"].AsString);
            Assert.True(indexes["eventId"]["unique"].AsBoolean);
            Assert.Equal("LOWER($.gate)", indexes["gate"]["expression"].AsString);
            Assert.Throws<LiteException>(() => punches.Insert(new BsonDocument { ["_id"] = 99L, ["eventId"] = "sn10:5" }));
        }

        Assert.Contains(logs.Lines, l => l.Contains("Rebuilt", StringComparison.Ordinal) && l.Contains("en-US/IgnoreCase", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(image, "outbox.rebuild.db")));
        Assert.False(File.Exists(Path.Combine(image, "outbox-log.db")));
    }

    [Fact]
    public void A_new_file_is_created_case_insensitive_ordinal_and_opens_again_without_a_rebuild()
    {
        using var folder = new TempFolder();
        var file = Path.Combine(folder.Path, "registry.db");
        using var logs = new CapturedLogs();
        using (var db = CaseInsensitiveKeys.Open(file, logs.CreateLogger("test")))
        {
            Assert.True(CaseInsensitiveKeys.IsCaseInsensitiveOrdinal(db));
            Assert.Same(StringComparer.OrdinalIgnoreCase, db.KeyComparer);
            db.Database.GetCollection("devices").Insert(new BsonDocument { ["_id"] = "SN1" });
        }

        using (var again = CaseInsensitiveKeys.Open(file, logs.CreateLogger("test")))
        {
            Assert.NotNull(again.Database.GetCollection("devices").FindById("sn1"));
        }

        Assert.Empty(logs.Lines);
    }

    [Fact]
    public void What_an_interrupted_rebuild_left_is_discarded_and_the_rebuild_done_again()
    {
        using var folder = new TempFolder();
        var file = Path.Combine(folder.Path, "commands.db");
        using (var db = DurableLiteDatabase.Open(file, collation: new Collation("en-US/IgnoreCase")))
        {
            db.Database.GetCollection("commands").Insert(new BsonDocument { ["_id"] = 1L, ["sn"] = "SN1" });
        }

        File.WriteAllBytes(Path.Combine(folder.Path, "commands.rebuild.db"), new byte[8192]);
        File.WriteAllBytes(Path.Combine(folder.Path, "commands.rebuild-log.db"), new byte[100]);

        using (var rebuilt = CaseInsensitiveKeys.Open(file))
        {
            Assert.True(CaseInsensitiveKeys.IsCaseInsensitiveOrdinal(rebuilt));
            Assert.Equal("SN1", rebuilt.Database.GetCollection("commands").FindById(1L)["sn"].AsString);
        }

        Assert.Equal(["commands.db"], Directory.GetFiles(folder.Path).Select(Path.GetFileName).ToArray());
    }

    [Fact]
    public void Two_unique_keys_equal_only_when_compared_ordinally_ignoring_case_stop_the_rebuild_with_the_names_and_leave_the_file_as_it_was()
    {
        // ẛ (long s with dot above) and ṡ differ to ICU beyond case, but both upper-case to Ṡ.
        Assert.NotEqual(0, string.Compare("ẛ", "ṡ", new CultureInfo("en-US"), CompareOptions.IgnoreCase));
        Assert.Equal(0, string.Compare("ẛ", "ṡ", StringComparison.OrdinalIgnoreCase));
        using var folder = new TempFolder();
        var file = Path.Combine(folder.Path, "enrolment.db");
        using (var db = DurableLiteDatabase.Open(file, collation: new Collation("en-US/IgnoreCase")))
        {
            var people = db.Database.GetCollection("people");
            people.EnsureIndex("card", "$.card", unique: true);
            people.Insert(new BsonDocument { ["_id"] = 1, ["card"] = "ẛ-7" });
            people.Insert(new BsonDocument { ["_id"] = 2, ["card"] = "ṡ-7" });
        }

        var error = Assert.Throws<InvalidOperationException>(() => CaseInsensitiveKeys.Open(file));
        Assert.Contains("enrolment.db", error.Message, StringComparison.Ordinal);
        Assert.Contains("'people'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'card'", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder.Path, "enrolment.rebuild.db")));
        using var unchanged = DurableLiteDatabase.Open(file);
        Assert.False(CaseInsensitiveKeys.IsCaseInsensitiveOrdinal(unchanged));
        Assert.Equal(2, unchanged.Database.GetCollection("people").Count());
    }
}
