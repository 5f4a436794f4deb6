using System.Text;
using CsvHelper;

namespace SiteHub.Hub.Imports;

/// <summary>
/// One CSV file being read: RFC 4180 with a header row, columns found by name (through a
/// <see cref="ColumnMapping"/> for other layouts), rows with the wrong number of fields reported
/// and skipped. Callers read fields by the index of the column in their own column list.
/// </summary>
internal sealed class CsvTable : IDisposable
{
    private readonly CsvReader _reader;
    private readonly int[] _index;
    private readonly int _headerCount;
    private readonly ICollection<ImportError> _errors;

    private CsvTable(CsvReader reader, string file, int[] index, int headerCount, IReadOnlyList<string> columns, ICollection<ImportError> errors)
    {
        _reader = reader;
        File = file;
        _index = index;
        _headerCount = headerCount;
        Columns = columns;
        _errors = errors;
    }

    public string File { get; }

    public IReadOnlyList<string> Columns { get; }

    /// <summary>The line the current row starts on.</summary>
    public long Line => _reader.LineNumber;

    /// <summary>Opens <paramref name="stream"/> (seekable) as a table with <paramref name="required"/> columns and, when present, <paramref name="optional"/> ones.</summary>
    /// <exception cref="CsvFileException">Undecodable bytes, no header, or a required column missing.</exception>
    public static CsvTable Open(Stream stream, string file, IReadOnlyList<string> required, IReadOnlyList<string> optional, ColumnMapping? mapping, Encoding? declared, ICollection<ImportError> errors)
    {
        var encoding = CsvEncodings.Detect(stream, file, declared);
        var reader = CsvReader.Create(stream, CsvReaderOptions.Default with
        {
            Separator = ',',
            HasHeader = true,
            TrackLineNumbers = true,
            Encoding = encoding,
            IncludeValuesInExceptions = false,
            PoolStrings = true,
            DetectSeparatorHint = false,
        }, leaveOpen: true);
        try
        {
            var headers = reader.Headers;
            if (headers.Count == 0)
            {
                throw new CsvFileException(file, "is empty: a header row is required");
            }

            var columns = required.Concat(optional).ToList();
            var index = new int[columns.Count];
            var missing = new List<string>();
            for (var i = 0; i < columns.Count; i++)
            {
                var name = mapping?.Columns.GetValueOrDefault(columns[i]) ?? columns[i];
                index[i] = IndexOf(headers, name);
                if (index[i] < 0 && i < required.Count)
                {
                    missing.Add(name == columns[i] ? name : $"{name} (for {columns[i]})");
                }
            }

            return missing.Count > 0
                ? throw new CsvFileException(file, $"has no column {string.Join(", ", missing)} (header: {string.Join(",", headers)})")
                : new CsvTable(reader, file, index, headers.Count, columns, errors);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>Moves to the next row with as many fields as the header; reports the others.</summary>
    public bool Read()
    {
        while (_reader.Read())
        {
            if (_reader.FieldCount == _headerCount)
            {
                return true;
            }

            Error(null, $"has {_reader.FieldCount} fields, the header has {_headerCount}");
        }

        return false;
    }

    /// <summary>Whether the file has the column (optional columns may be absent).</summary>
    public bool Has(int column) => _index[column] >= 0;

    /// <summary>The field of <paramref name="column"/> (index into the caller's columns), trimmed; "" when the file lacks the column.</summary>
    public string this[int column] => _index[column] < 0 ? "" : _reader.GetString(_index[column]).Trim();

    /// <summary>Reports a problem with the current row.</summary>
    public void Error(int? column, string reason) => _errors.Add(new ImportError(File, Line, column is { } c ? Columns[c] : null, reason));

    public void Dispose() => _reader.Dispose();

    private static int IndexOf(IReadOnlyList<string> headers, string name)
    {
        for (var i = 0; i < headers.Count; i++)
        {
            // A UTF-8 byte order mark may be left on the first header by some writers.
            if (string.Equals(headers[i].Trim().TrimStart('\uFEFF'), name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
