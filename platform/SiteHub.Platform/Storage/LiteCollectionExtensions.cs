using LiteDB;

namespace SiteHub.Platform.Storage;

public static class LiteCollectionExtensions
{
    /// <summary>The largest numeric <c>_id</c>, or 0 for an empty collection (LiteDB's <c>Max</c> throws there).</summary>
    public static long MaxInt64Id(this ILiteCollection<BsonDocument> collection) =>
        collection.Find(Query.All("_id", Query.Descending), limit: 1).FirstOrDefault()?["_id"].AsInt64 ?? 0;
}
