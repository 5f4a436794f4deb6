using LiteDB;

namespace SiteHub.Gateway.Outbox;

/// <summary>
/// Brings an <c>outbox.db</c> written by an older gateway, one <c>punches</c> document per punch,
/// into today's segments, in the same transaction that empties the old collection: a gateway
/// upgraded with a backlog sends that backlog, and keeps what it had delivered for the retention.
/// </summary>
internal static class OutboxUpgrade
{
    private const string OldCollection = "punches";

    public static void FromDocumentPerPunch(LiteDatabase database, ILiteCollection<BsonDocument> states, ILiteCollection<BsonDocument> data)
    {
        if (!database.CollectionExists(OldCollection))
        {
            return;
        }

        database.BeginTrans();
        var run = new List<BsonDocument>();
        foreach (var doc in database.GetCollection(OldCollection).Find(Query.All("_id", Query.Ascending)))
        {
            // A segment holds consecutive seqs only: a gap (pruned or never written) starts a new
            // one, and so does the change from delivered to pending, so delivered ones can be pruned.
            if (run.Count == OutboxStore.SegmentCapacity
                || (run.Count > 0 && (doc["_id"].AsInt64 != run[^1]["_id"].AsInt64 + 1 || doc["pending"].IsNull != run[^1]["pending"].IsNull)))
            {
                WriteSegment(run, states, data);
                run.Clear();
            }

            run.Add(doc);
        }

        WriteSegment(run, states, data);
        database.GetCollection(OldCollection).DeleteAll();
        database.Commit();

        // LiteDB cannot drop a collection inside a transaction; emptied in the same one as the
        // segments were written, it holds nothing to lose if the process stops before the drop.
        database.DropCollection(OldCollection);
    }

    private static void WriteSegment(List<BsonDocument> run, ILiteCollection<BsonDocument> states, ILiteCollection<BsonDocument> data)
    {
        if (run.Count == 0)
        {
            return;
        }

        var first = run[0]["_id"].AsInt64;
        data.Insert(new BsonDocument
        {
            ["_id"] = first,
            ["eids"] = new BsonArray(run.Select(d => d["eid"])),
            ["rcv"] = new BsonArray(run.Select(d => d["rcv"])),
            ["json"] = new BsonArray(run.Select(d => d["json"])),
        });
        var state = new BsonDocument { ["_id"] = first, ["n"] = run.Count, ["rcv"] = run[0]["rcv"] };
        if (run.All(d => d["pending"].IsNull))
        {
            state["pending"] = BsonValue.Null;
            state["dlv"] = run.Max(d => d["dlv"].AsDateTime);
        }
        else
        {
            state["pending"] = first;
            state["map"] = run.Select(d => d["pending"].IsNull ? (byte)1 : (byte)0).ToArray();
        }

        states.Insert(state);
    }
}
