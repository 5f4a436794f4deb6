using System.Text;

namespace SiteHub.Protocols.ZkAdms;

/// <summary>An upload of a table SiteHub only logs (OPERLOG, USERINFO, …).</summary>
/// <param name="Table">The <c>table</c> query parameter.</param>
/// <param name="Lines">The non-blank lines as sent (e.g. <c>OPLOG 4⇥0⇥2026-03-02 08:00:00…</c>, <c>USER PIN=1⇥Name=…</c>).</param>
public sealed record ZkTableUpload(string Table, IReadOnlyList<string> Lines)
{
    /// <summary>Records in the upload: what the device is told in <c>OK: n</c>.</summary>
    public int Count => Lines.Count;
}

/// <summary>
/// Uploads other than ATTLOG: <c>POST /iclock/cdata?SN=…&amp;table=OPERLOG</c> (operation log,
/// user and fingerprint changes) and the like. SiteHub accepts and logs them; it does not
/// interpret them, so it only splits the lines.
/// </summary>
public static class ZkTables
{
    /// <summary>Splits an upload into its non-blank lines (CRLF or LF, BOM tolerated). Never throws for what the device sent.</summary>
    public static ZkTableUpload Decode(ReadOnlySpan<byte> body, string table)
    {
        body = ZkAttlog.SkipBom(body);
        var lines = new List<string>();
        while (!body.IsEmpty)
        {
            var line = ZkAttlog.NextLine(ref body);
            if (!line.Trim(" \t"u8).IsEmpty)
            {
                lines.Add(Encoding.UTF8.GetString(line));
            }
        }

        return new ZkTableUpload(table, lines);
    }
}
