using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SiteHub.Hub.Imports;

/// <summary>
/// Plain CSV: UTF-8 with no quote character anywhere and no CR that is not part of a CR LF.
/// In such a file every line break ends a record and every comma ends a field, so it can be cut
/// into blocks at any line end and the blocks parsed on their own, on several threads, without
/// the general reader. The rules below give what CsvHelper gives for such a file (the tests
/// compare the two): a line that is empty (LF or CR LF alone) is no record but is counted, a
/// byte order mark at the start is not part of the header, fields are not trimmed.
/// </summary>
/// <remarks>
/// CsvHelper reads a lone CR as a line break, and a quote can hide separators and line breaks:
/// a file with either is read by the general reader from start to end.
/// </remarks>
internal static class PlainCsv
{
    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>Checks, block by block in file order, whether a file is plain.</summary>
    public struct ShapeCheck
    {
        private bool _notPlain;
        private bool _endsWithCr;

        /// <summary>Takes the next bytes of the file.</summary>
        public void Add(ReadOnlySpan<byte> bytes)
        {
            if (_notPlain || bytes.IsEmpty)
            {
                return;
            }

            if ((_endsWithCr && bytes[0] != (byte)'\n') || bytes.Contains((byte)'"'))
            {
                _notPlain = true;
                return;
            }

            _endsWithCr = false;
            var at = 0;
            while (bytes[at..].IndexOf((byte)'\r') is var cr and >= 0)
            {
                at += cr + 1;
                if (at == bytes.Length)
                {
                    // The LF, if any, starts the next bytes.
                    _endsWithCr = true;
                    return;
                }

                if (bytes[at] != (byte)'\n')
                {
                    _notPlain = true;
                    return;
                }
            }
        }

        /// <summary>Whether the file, now seen whole, is plain (a CR at its very end is a lone one).</summary>
        public readonly bool End() => !_notPlain && !_endsWithCr;
    }

    /// <summary>
    /// Whether <paramref name="lines"/>, whole lines of a file (or its end), are plain UTF-8: what
    /// <see cref="CsvEncodings"/> finds for a whole file, found for a part of it. A line break is
    /// never inside a UTF-8 sequence, so a file whose blocks of lines are all plain UTF-8 is too.
    /// </summary>
    public static bool IsPlainUtf8(ReadOnlySpan<byte> lines)
    {
        if (!System.Text.Unicode.Utf8.IsValid(lines))
        {
            return false;
        }

        var shape = default(ShapeCheck);
        shape.Add(lines);
        return shape.End();
    }

    /// <summary>Cuts the next line off <paramref name="rest"/>: the line without its LF or CR LF.</summary>
    public static ReadOnlySpan<byte> NextLine(ref ReadOnlySpan<byte> rest)
    {
        var end = rest.IndexOf((byte)'\n');
        ReadOnlySpan<byte> line;
        if (end < 0)
        {
            line = rest;
            rest = [];
        }
        else
        {
            line = rest[..end];
            rest = rest[(end + 1)..];
        }

        return !line.IsEmpty && line[^1] == (byte)'\r' ? line[..^1] : line;
    }

    /// <summary>
    /// Splits a line (not empty) at its commas. Field <c>i</c> is <c>line[(bounds[i] + 1)..bounds[i + 1]]</c>
    /// for the fields that fit in <paramref name="bounds"/> (one more than their number).
    /// </summary>
    /// <returns>The number of fields of the line, also when they are more than fit.</returns>
    public static int Split(ReadOnlySpan<byte> line, Span<int> bounds)
    {
        bounds[0] = -1;
        var count = 0;
        var start = 0;
        while (true)
        {
            var comma = line[start..].IndexOf((byte)',');
            var end = comma < 0 ? line.Length : start + comma;
            count++;
            if (count < bounds.Length)
            {
                bounds[count] = end;
            }

            if (comma < 0)
            {
                return count;
            }

            start = end + 1;
        }
    }

    /// <summary>
    /// Cuts bytes into lines and splits them at their commas in one vectorised scan for both
    /// (64 bytes at a time), as <see cref="NextLine"/> and <see cref="Split"/> would one after the
    /// other: searching each line and then each field anew cost several searches a row.
    /// </summary>
    /// <param name="bytes">Whole lines (the last may lack its line break).</param>
    public ref struct LineSplitter(ReadOnlySpan<byte> bytes)
    {
        private const int Chunk = 64;
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _chunk = -Chunk;
        private ulong _delimiters;
        private int _next;

        /// <summary>
        /// The next line: where it starts in the bytes and its length without its LF or CR LF, and
        /// its fields as <see cref="Split"/> gives them (counted beyond the room in <paramref name="bounds"/>).
        /// An empty line has one field of length 0. <c>false</c> after the last line.
        /// </summary>
        public bool TryNext(Span<int> bounds, out int start, out int length, out int fields)
        {
            start = _next;
            if (start >= _bytes.Length)
            {
                (length, fields) = (0, 0);
                return false;
            }

            bounds[0] = -1;
            fields = 0;
            int end;
            while (true)
            {
                var at = NextDelimiter();
                if (at < 0)
                {
                    end = _next = _bytes.Length;
                    break;
                }

                if (_bytes[at] == (byte)'\n')
                {
                    end = at;
                    _next = at + 1;
                    break;
                }

                fields++;
                if (fields < bounds.Length)
                {
                    bounds[fields] = at - start;
                }
            }

            length = end > start && _bytes[end - 1] == (byte)'\r' ? end - start - 1 : end - start;
            fields++;
            if (fields < bounds.Length)
            {
                bounds[fields] = length;
            }

            return true;
        }

        // The position of the next comma or LF, or -1.
        private int NextDelimiter()
        {
            while (_delimiters == 0)
            {
                _chunk += Chunk;
                if (_chunk >= _bytes.Length)
                {
                    _chunk = _bytes.Length;
                    return -1;
                }

                _delimiters = Delimiters(_bytes[_chunk..]);
            }

            var bit = BitOperations.TrailingZeroCount(_delimiters);
            _delimiters &= _delimiters - 1;
            return _chunk + bit;
        }

        // Bit i for a comma or LF at byte i of the first 64 bytes.
        private static ulong Delimiters(ReadOnlySpan<byte> bytes)
        {
            if (bytes.Length >= Chunk)
            {
                var chunk = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(bytes));
                return (Vector512.Equals(chunk, Vector512.Create((byte)',')) | Vector512.Equals(chunk, Vector512.Create((byte)'\n'))).ExtractMostSignificantBits();
            }

            var mask = 0UL;
            for (var i = 0; i < bytes.Length; i++)
            {
                if (bytes[i] is (byte)',' or (byte)'\n')
                {
                    mask |= 1UL << i;
                }
            }

            return mask;
        }
    }

    /// <summary>
    /// Finds the first record after the header in the first block of a file: past a byte order
    /// mark, the empty lines and the header line.
    /// </summary>
    /// <param name="block">The first bytes of the file, ending at a line end or at the end of the file.</param>
    /// <param name="bodyStart">Where the line after the header starts.</param>
    /// <param name="bodyLine">The 1-based number of that line.</param>
    /// <param name="headerFields">The number of fields of the header.</param>
    /// <returns><c>false</c> when the block holds no header (only empty lines).</returns>
    public static bool TryFindBody(ReadOnlySpan<byte> block, out int bodyStart, out long bodyLine, out int headerFields)
    {
        var rest = block.StartsWith(ByteOrderMark) ? block[ByteOrderMark.Length..] : block;
        bodyLine = 1;
        while (!rest.IsEmpty)
        {
            var line = NextLine(ref rest);
            bodyLine++;
            if (!line.IsEmpty)
            {
                bodyStart = block.Length - rest.Length;
                headerFields = line.Count((byte)',') + 1;
                return true;
            }
        }

        (bodyStart, headerFields) = (0, 0);
        return false;
    }
}
