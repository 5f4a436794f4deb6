namespace SiteHub.Hub.Imports;

/// <summary>The <c>Imports</c> section: how CSV files are read.</summary>
public sealed class ImportOptions
{
    public const string Section = "Imports";

    /// <summary>
    /// Encoding of imported files: <c>auto</c> (UTF-8 when the bytes are valid UTF-8, else
    /// GB18030), <c>utf-8</c>, <c>gbk</c> or <c>gb18030</c>. Default <c>auto</c>.
    /// </summary>
    public string Encoding { get; set; } = "auto";

    /// <summary>The layout of the bank's payout files, when it is not the standard <c>payouts.csv</c>. Default: the standard layout.</summary>
    public ColumnMapping Payouts { get; set; } = new();

    /// <summary>
    /// A folder watched for the bank's payout files (<c>*.csv</c>): each is imported like an upload,
    /// then moved to <c>processed/</c> (with <c>name.errors.txt</c> when rows were refused) or, when
    /// unreadable, to <c>failed/</c>. Default none: no folder is watched.
    /// </summary>
    public string? DropFolder { get; set; }

    /// <summary>How often the drop folder is looked at. Default 5 s.</summary>
    public TimeSpan DropFolderPollInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Maps another layout onto a standard file: <c>Columns</c> names, for a standard column, the
/// header the file uses for it (<c>Imports:Payouts:Columns:amount = 交易金额</c>); <c>Values</c>
/// maps the file's words for a status onto the standard ones (<c>成功 = SUCCESS</c>).
/// </summary>
public sealed class ColumnMapping
{
    /// <summary>Standard column → the file's header. Unmapped columns keep their standard name.</summary>
    public Dictionary<string, string> Columns { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The file's value → the standard value (for enumerated columns such as <c>status</c>).</summary>
    public Dictionary<string, string> Values { get; set; } = new(StringComparer.Ordinal);
}
