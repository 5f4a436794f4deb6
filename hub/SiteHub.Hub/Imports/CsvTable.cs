using System.Buffers;
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
    // Blocks of about a megabyte: thousands of rows per task, and few enough of them in flight
    // (two per core) that the buffers stay small.
    private const int PlainBlockSize = 1 << 20;

    private readonly CsvReader _reader;
    private readonly Stream _stream;
    private readonly long _start;
    private readonly bool _plain;
    private readonly int[] _index;
    private readonly int _headerCount;
    private readonly ICollection<ImportError> _errors;

    // Opened by TryOpenPlain: each block is checked as it is parsed, and row errors wait in
    // _pendingErrors until the whole file has turned out plain.
    private bool _checkBlocks;
    private List<ImportError>? _pendingErrors;
    private int _blockSize = PlainBlockSize;

    private CsvTable(CsvReader reader, Stream stream, long start, bool plain, string file, int[] index, int headerCount, IReadOnlyList<string> columns, ICollection<ImportError> errors)
    {
        _reader = reader;
        _stream = stream;
        _start = start;
        _plain = plain;
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
        var start = stream.Position;
        var inspection = CsvEncodings.Inspect(stream, file, declared);
        return OpenInspected(stream, start, file, required, optional, mapping, inspection, errors);
    }

    /// <summary>
    /// Opens <paramref name="stream"/> (seekable) without reading it all first to check its
    /// encoding, for <see cref="ReadBatchesInParallel"/> on the plain path only: the check is made
    /// block by block as the blocks are parsed, on all cores, in the same pass. <c>null</c> when
    /// its first block already shows that the file is not plain UTF-8 (see <see cref="PlainCsv"/>)
    /// or the header is not as required: <see cref="Open"/> then reads it (and reports what is wrong
    /// as it always has).
    /// </summary>
    /// <remarks>
    /// When a later block turns out not plain UTF-8, the read stops and <see cref="Abandoned"/> says
    /// so: the file must then be read again from its start through <see cref="Open"/>. Until the
    /// end of the file, the row errors are held back, so an abandoned read has added none.
    /// </remarks>
    /// <param name="stream">The file (seekable).</param>
    /// <param name="file">Its name, for errors.</param>
    /// <param name="required">The columns it must have.</param>
    /// <param name="errors">Where the row errors go.</param>
    /// <param name="blockSize">The usual size of a block (tests make it small).</param>
    public static CsvTable? TryOpenPlain(Stream stream, string file, IReadOnlyList<string> required, ICollection<ImportError> errors, int blockSize = PlainBlockSize)
    {
        var start = stream.Position;
        var head = ArrayPool<byte>.Shared.Rent(blockSize);
        try
        {
            var read = stream.ReadAtLeast(head.AsSpan(0, blockSize), blockSize, throwOnEndOfStream: false);
            var lines = read < blockSize ? read : head.AsSpan(0, read).LastIndexOf((byte)'\n') + 1;
            if (lines <= 0 || !PlainCsv.IsPlainUtf8(head.AsSpan(0, lines)))
            {
                return null;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(head);
            stream.Position = start;
        }

        try
        {
            var table = OpenInspected(stream, start, file, required, [], null, new CsvInspection(null, Plain: true), errors);
            (table._checkBlocks, table._pendingErrors, table._blockSize) = (true, [], blockSize);
            return table;
        }
        catch (CsvFileException)
        {
            stream.Position = start;
            return null;
        }
    }

    private static CsvTable OpenInspected(Stream stream, long start, string file, IReadOnlyList<string> required, IReadOnlyList<string> optional, ColumnMapping? mapping, CsvInspection inspection, ICollection<ImportError> errors)
    {
        var reader = CsvReader.Create(stream, CsvReaderOptions.Default with
        {
            Separator = ',',
            HasHeader = true,
            TrackLineNumbers = true,
            Encoding = inspection.Encoding,
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
                : new CsvTable(reader, stream, start, inspection.Plain, file, index, headers.Count, columns, errors);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether a table opened by <see cref="TryOpenPlain"/> found a block that is not plain UTF-8,
    /// or could not be read by blocks at all: its read stopped there, and the file must be read again
    /// through <see cref="Open"/>.
    /// </summary>
    public bool Abandoned { get; private set; }

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

    /// <summary>
    /// Reads the remaining rows with <paramref name="parse"/> on both cores (CsvHelper's parallel
    /// enumeration) and returns the values of the rows it accepted, in file order. The row errors
    /// are added to the table's error list in file order too, as <see cref="Read"/> would add them.
    /// </summary>
    /// <param name="parse">Parses a row.</param>
    /// <param name="plainPath">
    /// Whether a plain file (<see cref="PlainCsv"/>) is cut into blocks of lines that are parsed on
    /// their own, without CsvHelper: what its parallel enumeration costs per row mattered for
    /// files of tens of millions of rows. The rows, values and errors are the same either way.
    /// </param>
    /// <remarks>
    /// <paramref name="parse"/> runs on several threads at once: it must only read shared state.
    /// A row whose field count differs from the header's never reaches it.
    /// </remarks>
    public IEnumerable<T> ReadInParallel<T>(CsvRowParser<T> parse, bool plainPath = false)
    {
        if (_checkBlocks)
        {
            throw new InvalidOperationException("A table opened by TryOpenPlain is read by ReadBatchesInParallel.");
        }

        if (!plainPath || !_plain)
        {
            foreach (var value in ReadGeneral(parse))
            {
                yield return value;
            }

            yield break;
        }

        foreach (var block in ReadPlainBlocks(() => parse, batchFallback: false))
        {
            // Each row's errors are added just before the value that follows them, as Read would add them.
            var errorAt = 0;
            for (var i = 0; i < block.Count; i++)
            {
                for (; block.Errors is not null && errorAt < block.Errors.Count && block.Errors[errorAt].Before == i; errorAt++)
                {
                    AddErrors(block.Errors[errorAt].Errors);
                }

                yield return block.Values[i];
            }

            for (; block.Errors is not null && errorAt < block.Errors.Count; errorAt++)
            {
                AddErrors(block.Errors[errorAt].Errors);
            }
        }
    }

    /// <summary>
    /// <see cref="ReadInParallel"/> handing the values over in batches: for files of tens of
    /// millions of rows, what an enumerator costs per row mattered. The row errors of a batch are
    /// added to the table's error list, in file order, before the batch is handed over.
    /// </summary>
    /// <param name="newParser">
    /// Makes a parser for one thread's use: each block of a plain file is parsed with a parser of
    /// its own, so a parser may keep what it found for the rows that follow (it is not shared
    /// between threads); the general reader keeps one per thread.
    /// </param>
    /// <param name="plainPath">As for <see cref="ReadInParallel"/>.</param>
    /// <returns>Batches in file order, each valid until the next is asked for (their arrays are reused).</returns>
    public IEnumerable<ArraySegment<T>> ReadBatchesInParallel<T>(Func<CsvRowParser<T>> newParser, bool plainPath = false)
    {
        if (!plainPath || !_plain)
        {
            foreach (var batch in Batches(ReadGeneral(newParser)))
            {
                yield return batch;
            }

            yield break;
        }

        foreach (var block in ReadPlainBlocks(newParser, batchFallback: true))
        {
            if (block.NotPlain)
            {
                Abandoned = true;
                yield break;
            }

            for (var e = 0; block.Errors is not null && e < block.Errors.Count; e++)
            {
                AddErrors(block.Errors[e].Errors);
            }

            yield return new ArraySegment<T>(block.Values, 0, block.Count);
        }

        if (_pendingErrors is { } pending && !Abandoned)
        {
            // The whole file was plain: its row errors stand.
            _pendingErrors = null;
            AddErrors(pending);
        }
    }

    private static IEnumerable<ArraySegment<T>> Batches<T>(IEnumerable<T> values)
    {
        var batch = new T[4096];
        var count = 0;
        foreach (var value in values)
        {
            batch[count++] = value;
            if (count == batch.Length)
            {
                yield return new ArraySegment<T>(batch, 0, count);
                count = 0;
            }
        }

        if (count > 0)
        {
            yield return new ArraySegment<T>(batch, 0, count);
        }
    }

    private IEnumerable<T> ReadGeneral<T>(Func<CsvRowParser<T>> newParser)
    {
        // CsvHelper calls the parser on threads of its own choosing.
        using var parsers = new ThreadLocal<CsvRowParser<T>>(newParser);
        foreach (var value in ReadGeneral((ref CsvTableRow row) => parsers.Value!(ref row)))
        {
            yield return value;
        }
    }

    private IEnumerable<T> ReadGeneral<T>(CsvRowParser<T> parse)
    {
        var rows = _reader.ParallelEnumerate(reader =>
        {
            var row = new CsvTableRow(reader, this);
            if (reader.FieldCount != _headerCount)
            {
                row.Error(null, $"has {reader.FieldCount} fields, the header has {_headerCount}");
                return new ParsedRow<T>(default!, row.Errors);
            }

            var value = parse(ref row);
            return new ParsedRow<T>(value, row.Errors);
        }, Math.Max(2, Environment.ProcessorCount));
        foreach (var row in rows)
        {
            if (row.Errors is null)
            {
                yield return row.Value;
                continue;
            }

            foreach (var error in row.Errors)
            {
                _errors.Add(error);
            }
        }
    }

    // The blocks of a plain file, parsed, in file order; each is valid until the next is asked for
    // (its array of values is reused). Where the general reader has to take over, its rows come
    // in batches (batchFallback) or one by one, their errors added as they are read.
    private IEnumerable<ParsedBlock<T>> ReadPlainBlocks<T>(Func<CsvRowParser<T>> newParser, bool batchFallback)
    {
        // The general reader has read the header and some rows ahead: it takes over where it
        // stopped when the header is not within the first block (a file that starts with a
        // megabyte of empty lines), or is not the one it read.
        var resume = _stream.Position;
        _stream.Position = _start;
        var blocks = new CsvBlockReader(_stream, _blockSize);
        if (!blocks.TryRead(out var first, out var firstLength, out var firstBreaks)
            || !PlainCsv.TryFindBody(first.AsSpan(0, firstLength), out var bodyStart, out var bodyLine, out var headerFields)
            || headerFields != _headerCount)
        {
            if (first.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(first);
            }

            _stream.Position = resume;
            if (_checkBlocks)
            {
                // Read by blocks or not at all: the general reader would hand on rows unchecked.
                yield return new ParsedBlock<T>([], 0, null, NotPlain: true);
                yield break;
            }

            if (batchFallback)
            {
                foreach (var batch in Batches(ReadGeneral(newParser)))
                {
                    yield return new ParsedBlock<T>(batch.Array!, batch.Count, null);
                }

                yield break;
            }

            var one = new T[1];
            foreach (var value in ReadGeneral(newParser))
            {
                one[0] = value;
                yield return new ParsedBlock<T>(one, 1, null);
            }

            yield break;
        }

        // Blocks are read here, parsed on the thread pool, and handed on in file order; a line's
        // number is one more than the line breaks before it (a plain file has no lone CR).
        var inFlight = new Queue<(Task<ParsedBlock<T>> Parse, byte[] Bytes)>();
        var spare = new Stack<T[]>();
        var maxInFlight = 2 * Math.Max(2, Environment.ProcessorCount);
        var nextLine = 1L + firstBreaks;
        T[]? handedOver = null;
        try
        {
            inFlight.Enqueue(StartBlock(first, bodyStart, firstLength, bodyLine, firstBreaks - (int)bodyLine + 2));
            while (true)
            {
                // The values handed over last are done with once the next block is asked for.
                if (handedOver is not null)
                {
                    spare.Push(handedOver);
                    handedOver = null;
                }

                while (inFlight.Count < maxInFlight && blocks.TryRead(out var bytes, out var length, out var breaks))
                {
                    inFlight.Enqueue(StartBlock(bytes, 0, length, nextLine, breaks + 1));
                    nextLine += breaks;
                }

                if (!inFlight.TryDequeue(out var next))
                {
                    break;
                }

                var block = next.Parse.GetAwaiter().GetResult();
                ArrayPool<byte>.Shared.Return(next.Bytes);
                handedOver = block.Values;
                yield return block;
            }
        }
        finally
        {
            // Tasks still running read their buffers: wait for them before the buffers go back.
            foreach (var (task, bytes) in inFlight)
            {
                ((IAsyncResult)task).AsyncWaitHandle.WaitOne();
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }

        (Task<ParsedBlock<T>>, byte[]) StartBlock(byte[] bytes, int start, int end, long line, int maxRows)
        {
            var values = spare.TryPop(out var reused) && reused.Length >= maxRows ? reused : new T[maxRows];
            return (Task.Run(() => ParseBlock(bytes, start, end, line, values, newParser())), bytes);
        }
    }

    // Parses the lines of a block of a plain file, as the general path would parse them.
    private ParsedBlock<T> ParseBlock<T>(byte[] block, int start, int end, long line, T[] values, CsvRowParser<T> parse)
    {
        if (_checkBlocks && !PlainCsv.IsPlainUtf8(block.AsSpan(start, end - start)))
        {
            return new ParsedBlock<T>(values, 0, null, NotPlain: true);
        }

        var count = 0;
        List<(int Before, List<ImportError> Errors)>? errors = null;
        var bounds = new int[_headerCount + 1];
        var lines = new PlainCsv.LineSplitter(block.AsSpan(start, end - start));
        for (; lines.TryNext(bounds, out var lineStart, out var length, out var fields); line++)
        {
            if (length == 0)
            {
                continue;
            }

            var row = new CsvTableRow(this, block, start + lineStart, bounds, line);
            var value = default(T)!;
            if (fields != _headerCount)
            {
                row.Error(null, $"has {fields} fields, the header has {_headerCount}");
            }
            else
            {
                value = parse(ref row);
            }

            if (row.Errors is { } rowErrors)
            {
                (errors ??= []).Add((count, rowErrors));
            }
            else
            {
                values[count++] = value;
            }
        }

        return new ParsedBlock<T>(values, count, errors);
    }

    private void AddErrors(List<ImportError> errors)
    {
        if (_pendingErrors is { } pending)
        {
            pending.AddRange(errors);
            return;
        }

        foreach (var error in errors)
        {
            _errors.Add(error);
        }
    }

    /// <summary>The index into the file's fields of <paramref name="column"/> (index into the caller's columns), or -1.</summary>
    internal int FieldIndex(int column) => _index[column];

    /// <summary>Whether the file has the column (optional columns may be absent).</summary>
    public bool Has(int column) => _index[column] >= 0;

    /// <summary>The field of <paramref name="column"/> (index into the caller's columns), trimmed; "" when the file lacks the column.</summary>
    public string this[int column] => _index[column] < 0 ? "" : _reader.GetString(_index[column]).Trim();

    /// <summary>Reports a problem with the row that starts on <paramref name="line"/> (found by a check across rows).</summary>
    public void Error(long line, int? column, string reason) => _errors.Add(new ImportError(File, line, column is { } c ? Columns[c] : null, reason));

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

/// <summary>Parses one row for <see cref="CsvTable.ReadInParallel"/>; reports problems with <see cref="CsvTableRow.Error"/>.</summary>
internal delegate T CsvRowParser<T>(ref CsvTableRow row);

/// <summary>The value of a row, or the errors that rejected it (<c>null</c> when there were none).</summary>
internal readonly record struct ParsedRow<T>(T Value, List<ImportError>? Errors);

/// <summary>
/// The rows of a block of a plain file: the first <paramref name="Count"/> of <paramref name="Values"/>,
/// and the errors of the rejected rows, each after as many values as <c>Before</c> says.
/// </summary>
/// <param name="Values">The values; the first <paramref name="Count"/> are the block's.</param>
/// <param name="Count">The number of rows accepted.</param>
/// <param name="Errors">The errors of the rejected rows, each after as many values as <c>Before</c> says.</param>
/// <param name="NotPlain">For a table opened by <see cref="CsvTable.TryOpenPlain"/>: the block is not plain UTF-8, and was not parsed.</param>
internal sealed record ParsedBlock<T>(T[] Values, int Count, List<(int Before, List<ImportError> Errors)>? Errors, bool NotPlain = false);

/// <summary>
/// One row seen by a parallel worker: its fields as trimmed text or UTF-8 bytes, valid only during
/// the parse call, and the errors found in it (collected here, added to the file's list in file order).
/// The fields come from CsvHelper's reader, or for a plain file from the line itself.
/// </summary>
internal struct CsvTableRow
{
    private readonly CsvReader? _reader;
    private readonly CsvTable _table;
    private readonly byte[]? _block;
    private readonly int _start;
    private readonly int[]? _bounds;
    private readonly long _line;

    public CsvTableRow(CsvReader reader, CsvTable table)
    {
        _reader = reader;
        _table = table;
    }

    /// <summary>
    /// A row of a plain file that starts at <paramref name="start"/> in <paramref name="block"/>: field <c>i</c>
    /// is at <c>(bounds[i] + 1)..bounds[i + 1]</c> from there (see <see cref="PlainCsv.Split"/>).
    /// </summary>
    public CsvTableRow(CsvTable table, byte[] block, int start, int[] bounds, long line)
    {
        _table = table;
        _block = block;
        _start = start;
        _bounds = bounds;
        _line = line;
    }

    /// <summary>The errors of the row; <c>null</c> while there are none (most rows allocate nothing).</summary>
    public List<ImportError>? Errors { get; private set; }

    /// <summary>Whether no error was reported for the row.</summary>
    public readonly bool Ok => Errors is null;

    /// <summary>The line the row starts on.</summary>
    public readonly long Line => _reader?.LineNumber ?? _line;

    /// <summary>Whether the file has the column (optional columns may be absent).</summary>
    public readonly bool Has(int column) => _table.FieldIndex(column) >= 0;

    /// <summary>The field as <see cref="CsvTable"/>'s indexer gives it: a string, trimmed; "" when the file lacks the column.</summary>
    public readonly string this[int column]
    {
        get
        {
            var index = _table.FieldIndex(column);
            return index < 0 ? ""
                : _reader is not null ? _reader.GetString(index).Trim()
                : Encoding.UTF8.GetString(Field(index)).Trim();
        }
    }

    /// <summary>
    /// The field's UTF-8 bytes without the ASCII white space around them, or <c>false</c> when
    /// they start or end outside ASCII (where <see cref="string.Trim()"/> might remove more).
    /// </summary>
    public readonly bool TryGetAsciiTrimmed(int column, out ReadOnlySpan<byte> value)
    {
        var index = _table.FieldIndex(column);
        value = index < 0 ? [] : Field(index);

        // Fields rarely have white space around them: only those whose ends are spaces or control bytes are searched.
        if (!value.IsEmpty && (value[0] <= (byte)' ' || value[^1] <= (byte)' '))
        {
            value = value.Trim(" \t\n\v\f\r"u8);
        }

        return value.IsEmpty || (value[0] < 0x80 && value[^1] < 0x80);
    }

    /// <summary>Reports a problem with the row (column = index into the caller's columns).</summary>
    public void Error(int? column, string reason) =>
        (Errors ??= []).Add(new ImportError(_table.File, Line, column is { } c ? _table.Columns[c] : null, reason));

    private readonly ReadOnlySpan<byte> Field(int index) =>
        _reader is not null ? _reader.GetSpan(index) : _block.AsSpan(_start + _bounds![index] + 1, _bounds[index + 1] - _bounds[index] - 1);
}
