using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace SiteHub.Hub.Imports;

/// <summary>
/// Which encoding a CSV file is in: UTF-8 by default, GBK or GB18030 (what many Chinese banks
/// export) when declared or detected. Decoding is strict: bytes that are valid in no supported
/// encoding stop the import with the offset of the first bad byte instead of turning into
/// mojibake or U+FFFD.
/// </summary>
public static class CsvEncodings
{
    private const int BlockSize = 1 << 20;

    static CsvEncodings() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The strict encoding of a declared name; <c>null</c> for <c>auto</c> or empty.</summary>
    /// <exception cref="ArgumentException">An encoding SiteHub does not import.</exception>
    public static Encoding? Declared(string? name) => name?.Trim().ToUpperInvariant() switch
    {
        null or "" or "AUTO" => null,
        "UTF-8" or "UTF8" => StrictUtf8,
        "GBK" or "CP936" or "GB2312" => Strict(936),
        "GB18030" => Strict(54936),
        _ => throw new ArgumentException($"encoding '{name}' is not supported (auto, utf-8, gbk, gb18030)", nameof(name)),
    };

    /// <summary>
    /// Checks that <paramref name="stream"/> (seekable) decodes in <paramref name="declared"/>, or
    /// without one finds the encoding it decodes in, and rewinds it.
    /// </summary>
    /// <returns>The encoding to read with; <c>null</c> for UTF-8.</returns>
    /// <exception cref="CsvFileException">The bytes are not valid in the declared encoding, or in any supported one.</exception>
    public static Encoding? Detect(Stream stream, string file, Encoding? declared) => Inspect(stream, file, declared).Encoding;

    /// <summary>
    /// <see cref="Detect"/>, and in the same pass over the bytes whether the file is plain CSV
    /// (<see cref="CsvInspection.Plain"/>), which lets <see cref="CsvTable"/> read it with its block scanner.
    /// </summary>
    /// <exception cref="CsvFileException">The bytes are not valid in the declared encoding, or in any supported one.</exception>
    internal static CsvInspection Inspect(Stream stream, string file, Encoding? declared)
    {
        var start = stream.Position;
        try
        {
            if (declared is not null)
            {
                // A declared encoding is checked by decoding; the general reader reads such files.
                var bad = FirstInvalidByte(stream, declared);
                return bad is null
                    ? new CsvInspection(declared.CodePage == Encoding.UTF8.CodePage ? null : declared, Plain: false)
                    : throw new CsvFileException(file, $"is declared {declared.WebName} but byte {bad} is not valid {declared.WebName}");
            }

            var badUtf8 = FirstInvalidUtf8(stream, out var plain);
            if (badUtf8 is null)
            {
                return new CsvInspection(null, plain);
            }

            stream.Position = start;
            var gb18030 = Strict(54936);
            var badGb = FirstInvalidByte(stream, gb18030);
            return badGb is null
                ? new CsvInspection(gb18030, Plain: false)
                : throw new CsvFileException(file, $"is in no supported encoding: not UTF-8 (byte {badUtf8} is invalid) and not GB18030/GBK (byte {badGb} is invalid); save it as UTF-8 or GB18030");
        }
        finally
        {
            stream.Position = start;
        }
    }

    private static Encoding Strict(int codePage) => Encoding.GetEncoding(codePage, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);

    private static long? FirstInvalidUtf8(Stream stream, out bool plain)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(BlockSize + 4);
        char[]? chars = null;
        var shape = new PlainCsv.ShapeCheck();
        plain = false;
        try
        {
            long offset = 0;
            var carry = 0;
            while (true)
            {
                var read = stream.ReadAtLeast(bytes.AsSpan(carry, BlockSize), BlockSize, throwOnEndOfStream: false);
                var length = carry + read;
                var final = read == 0 || read < BlockSize;
                var block = bytes.AsSpan(0, length);

                // Validating without transcoding is several times faster, which matters for files of
                // gigabytes; only a block that fails is transcoded, to find the offset of the bad byte.
                var complete = final ? length : WholeSequencesLength(block);
                if (!Utf8.IsValid(block[..complete]))
                {
                    chars ??= ArrayPool<char>.Shared.Rent(BlockSize + 4);
                    var status = Utf8.ToUtf16(block, chars, out var consumed, out _, replaceInvalidSequences: false, isFinalBlock: final);
                    if (status == OperationStatus.InvalidData)
                    {
                        return offset + consumed;
                    }

                    complete = consumed;
                }

                shape.Add(block[..complete]);
                if (final)
                {
                    plain = shape.End();
                    return null;
                }

                // An incomplete sequence at the end of the block is completed by the next one.
                carry = length - complete;
                bytes.AsSpan(complete, carry).CopyTo(bytes);
                offset += complete;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            if (chars is not null)
            {
                ArrayPool<char>.Shared.Return(chars);
            }
        }
    }

    // The length of the block without a multi-byte sequence cut off at its end (as many bytes as
    // a transcoder that is told more input follows would consume).
    private static int WholeSequencesLength(ReadOnlySpan<byte> block)
    {
        for (var i = block.Length - 1; i >= 0 && i >= block.Length - 4; i--)
        {
            var b = block[i];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }

            var needed = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return i + needed <= block.Length ? block.Length : i;
        }

        return block.Length;
    }

    private static long? FirstInvalidByte(Stream stream, Encoding encoding)
    {
        var decoder = encoding.GetDecoder();
        var bytes = ArrayPool<byte>.Shared.Rent(BlockSize);
        var chars = ArrayPool<char>.Shared.Rent(encoding.GetMaxCharCount(BlockSize));
        long offset = 0;
        try
        {
            while (true)
            {
                var read = stream.ReadAtLeast(bytes.AsSpan(0, BlockSize), BlockSize, throwOnEndOfStream: false);
                var final = read < BlockSize;
                int count;
                try
                {
                    count = decoder.GetChars(bytes, 0, read, chars, 0, flush: final);
                }
                catch (DecoderFallbackException e)
                {
                    return offset + Math.Max(0, e.Index);
                }

                // Private-use characters are what undecodable bytes become in GB18030's user areas:
                // real names and amounts never use them, a file in another encoding does.
                var privateUse = chars.AsSpan(0, count).IndexOfAnyInRange('\uE000', '\uF8FF');
                if (privateUse >= 0)
                {
                    return offset + encoding.GetByteCount(chars, 0, privateUse);
                }

                offset += read;
                if (final)
                {
                    return null;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<char>.Shared.Return(chars);
        }
    }
}

/// <summary>What <see cref="CsvEncodings.Inspect"/> found out about a file.</summary>
/// <param name="Encoding">The encoding to read with; <c>null</c> for UTF-8.</param>
/// <param name="Plain">Whether the file is UTF-8 without quotes and without a CR that is not part of a CR LF (see <see cref="PlainCsv"/>).</param>
internal readonly record struct CsvInspection(Encoding? Encoding, bool Plain);
