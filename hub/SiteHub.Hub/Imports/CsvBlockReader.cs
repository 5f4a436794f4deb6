using System.Buffers;

namespace SiteHub.Hub.Imports;

/// <summary>
/// Reads a stream in blocks that end at a line end (the last one at the end of the stream), so
/// that each block of a plain CSV file (<see cref="PlainCsv"/>) can be parsed on its own.
/// </summary>
/// <param name="stream">Read from its current position to its end.</param>
/// <param name="blockSize">The usual size of a block; a longer line makes a longer one.</param>
internal sealed class CsvBlockReader(Stream stream, int blockSize)
{
    private byte[] _carry = new byte[256];
    private int _carryLength;
    private bool _ended;

    /// <summary>
    /// The next block in a buffer rented from <see cref="ArrayPool{T}.Shared"/>, which the caller
    /// returns; <c>false</c> at the end of the stream.
    /// </summary>
    /// <param name="buffer">The block is its first <paramref name="length"/> bytes.</param>
    /// <param name="length">The length of the block.</param>
    /// <param name="lineBreaks">The number of LF bytes in the block, by which the following block's line numbers start later.</param>
    public bool TryRead(out byte[] buffer, out int length, out int lineBreaks)
    {
        buffer = ArrayPool<byte>.Shared.Rent(blockSize + _carryLength);
        _carry.AsSpan(0, _carryLength).CopyTo(buffer);
        var filled = _carryLength;
        _carryLength = 0;
        while (true)
        {
            if (!_ended)
            {
                filled += stream.ReadAtLeast(buffer.AsSpan(filled), buffer.Length - filled, throwOnEndOfStream: false);
                _ended = filled < buffer.Length;
            }

            if (_ended)
            {
                length = filled;
                break;
            }

            var lastBreak = buffer.AsSpan(0, filled).LastIndexOf((byte)'\n');
            if (lastBreak >= 0)
            {
                // The partial line after the last line break starts the next block.
                length = lastBreak + 1;
                _carryLength = filled - length;
                if (_carry.Length < _carryLength)
                {
                    _carry = new byte[Math.Max(_carryLength, _carry.Length * 2)];
                }

                buffer.AsSpan(length, _carryLength).CopyTo(_carry);
                break;
            }

            // A line longer than the buffer: read on into a larger one.
            var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
            buffer.AsSpan(0, filled).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = larger;
        }

        if (length == 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = [];
            lineBreaks = 0;
            return false;
        }

        lineBreaks = buffer.AsSpan(0, length).Count((byte)'\n');
        return true;
    }
}
