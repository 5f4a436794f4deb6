using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using SiteHub.Protocols.Punches;

namespace SiteHub.Protocols.HikIsapi;

/// <summary>The parts of a Hikvision multipart event push that SiteHub uses.</summary>
/// <param name="EventJson">The event JSON part's bytes, a slice of the body (decode with <see cref="HikIsapiCodec.Decode"/>).</param>
/// <param name="EventPartName">The JSON part's form name (<c>AccessControllerEvent</c>, <c>event_log</c>, …), or empty.</param>
/// <param name="Picture">The picture's bytes, a slice of the body; empty when the push had none.</param>
/// <param name="PictureContentType">The picture part's content type (normally <c>image/jpeg</c>), or null.</param>
public sealed record HikMultipartParts(
    ReadOnlyMemory<byte> EventJson,
    string EventPartName,
    ReadOnlyMemory<byte> Picture,
    string? PictureContentType)
{
    /// <summary>True when the push carried a picture.</summary>
    public bool HasPicture => !Picture.IsEmpty;
}

/// <summary>
/// <c>multipart/form-data</c> bodies (RFC 7578 / RFC 2046) as Hikvision terminals push them when
/// "upload picture" is on: one part with the event JSON (named <c>AccessControllerEvent</c> or
/// <c>event_log</c> depending on firmware, <c>Content-Type: application/json</c>) and one part per
/// picture (<c>image/jpeg</c>). The parser returns slices of the body, never copies: the gateway
/// stores the picture to a file and the JSON goes to <see cref="HikIsapiCodec.Decode"/>.
/// Lines may end in CRLF (the standard) or a bare LF (seen from some firmware and proxies).
/// </summary>
public static class HikMultipart
{
    /// <summary>Most parts read from one body; a real push has two or three.</summary>
    public const int MaxParts = 16;

    private const int MaxBoundaryLength = 70;

    /// <summary>Reads the boundary from a <c>Content-Type: multipart/form-data; boundary=…</c> header.</summary>
    public static bool TryGetBoundary(string? contentType, [NotNullWhen(true)] out string? boundary)
    {
        boundary = null;
        if (contentType is null || !contentType.TrimStart().StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        foreach (var parameter in contentType.Split(';'))
        {
            var p = parameter.Trim();
            if (p.StartsWith("boundary=", StringComparison.OrdinalIgnoreCase))
            {
                var value = p["boundary=".Length..].Trim().Trim('"');
                if (value.Length is > 0 and <= MaxBoundaryLength)
                {
                    boundary = value;
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The <c>Content-Type</c> header value that goes with <see cref="Encode"/>'s body.</summary>
    public static string ContentType(string boundary) => "multipart/form-data; boundary=" + boundary;

    /// <summary>Finds the event JSON part and the first picture part.</summary>
    /// <param name="body">The whole request body.</param>
    /// <param name="boundary">From <see cref="TryGetBoundary"/>.</param>
    /// <exception cref="PayloadDecodeException">The body is not a complete multipart body with a JSON part.</exception>
    public static HikMultipartParts Parse(ReadOnlyMemory<byte> body, string boundary)
    {
        if (string.IsNullOrEmpty(boundary) || boundary.Length > MaxBoundaryLength || !Ascii.IsValid(boundary))
        {
            throw new PayloadDecodeException("Content-Type", "multipart boundary must be 1–70 ASCII characters");
        }

        Span<byte> delimiter = stackalloc byte[MaxBoundaryLength + 2];
        delimiter[0] = (byte)'-';
        delimiter[1] = (byte)'-';
        var written = Encoding.ASCII.GetBytes(boundary, delimiter[2..]);
        delimiter = delimiter[..(written + 2)];

        var span = body.Span;
        var pos = FindFirstDelimiter(span, delimiter);
        if (pos < 0)
        {
            throw new PayloadDecodeException("$", "no multipart boundary found in the body");
        }

        Range? json = null;
        var jsonName = "";
        Range? picture = null;
        string? pictureType = null;
        var parts = 0;
        while (true)
        {
            var cur = pos + delimiter.Length;
            if (span[cur..].StartsWith("--"u8))
            {
                break;
            }

            cur = SkipLineBreakAfterDelimiter(span, cur);
            if (++parts > MaxParts)
            {
                throw new PayloadDecodeException("$", $"more than {MaxParts} parts");
            }

            var headers = ReadHeaders(span, ref cur, parts);
            var next = FindNextDelimiter(span, cur - 1, delimiter);
            if (next < 0)
            {
                throw new PayloadDecodeException(PartPath(parts), "is truncated: no closing boundary");
            }

            // The line break before a delimiter belongs to the delimiter, not to the content.
            var end = next;
            if (end > cur && span[end - 1] == '\r')
            {
                end--;
            }

            end = Math.Max(end, cur);
            var content = span[cur..end];
            if (json is null && IsJsonPart(headers, content, span))
            {
                json = cur..end;
                jsonName = headers.Name is { } n ? Encoding.ASCII.GetString(span[n]) : "";
            }
            else if (picture is null && IsPicturePart(headers, span))
            {
                picture = cur..end;
                pictureType = headers.ContentType is { } t ? Encoding.ASCII.GetString(span[t]) : "image/jpeg";
            }

            pos = next + 1;
        }

        if (json is not { } jsonRange)
        {
            throw new PayloadDecodeException("$", "no event JSON part (an XML event means the device is set to push XML: set it to JSON)");
        }

        return new HikMultipartParts(
            body[jsonRange],
            jsonName,
            picture is { } pictureRange ? body[pictureRange] : ReadOnlyMemory<byte>.Empty,
            pictureType);
    }

    /// <summary>
    /// Writes a multipart body as a Hikvision terminal sends it: the event JSON part, then the picture part when there is one.
    /// </summary>
    public static byte[] Encode(
        string boundary,
        ReadOnlySpan<byte> eventJson,
        ReadOnlySpan<byte> picture = default,
        string eventPartName = "AccessControllerEvent",
        string pictureFileName = "Picture.jpg")
    {
        var buffer = new ArrayBufferWriter<byte>(eventJson.Length + picture.Length + 512);
        WriteAscii(buffer, string.Create(CultureInfo.InvariantCulture,
            $"--{boundary}\r\nContent-Disposition: form-data; name=\"{eventPartName}\"\r\nContent-Type: application/json\r\nContent-Length: {eventJson.Length}\r\n\r\n"));
        buffer.Write(eventJson);
        if (!picture.IsEmpty)
        {
            WriteAscii(buffer, string.Create(CultureInfo.InvariantCulture,
                $"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"Picture\"; filename=\"{pictureFileName}\"\r\nContent-Type: image/jpeg\r\nContent-Length: {picture.Length}\r\n\r\n"));
            buffer.Write(picture);
        }

        WriteAscii(buffer, $"\r\n--{boundary}--\r\n");
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteAscii(ArrayBufferWriter<byte> buffer, string text)
    {
        var written = Encoding.UTF8.GetBytes(text, buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length)));
        buffer.Advance(written);
    }

    private static string PartPath(int part) => string.Create(CultureInfo.InvariantCulture, $"part[{part}]");

    /// <summary>The first delimiter may open the body; anything before it is preamble.</summary>
    private static int FindFirstDelimiter(ReadOnlySpan<byte> span, ReadOnlySpan<byte> delimiter)
    {
        if (span.StartsWith(delimiter) && IsDelimiterEnd(span, delimiter.Length))
        {
            return 0;
        }

        var found = FindNextDelimiter(span, 0, delimiter);
        return found < 0 ? -1 : found + 1;
    }

    /// <summary>Index of the line feed that starts <c>\n--boundary</c>, searching from <paramref name="from"/>.</summary>
    private static int FindNextDelimiter(ReadOnlySpan<byte> span, int from, ReadOnlySpan<byte> delimiter)
    {
        from = Math.Max(from, 0);
        while (from < span.Length)
        {
            var hit = span[from..].IndexOf(delimiter);
            if (hit < 0)
            {
                return -1;
            }

            var at = from + hit;
            if (at > 0 && span[at - 1] == '\n' && IsDelimiterEnd(span, at + delimiter.Length))
            {
                return at - 1;
            }

            from = at + 1;
        }

        return -1;
    }

    /// <summary>A delimiter is followed by "--", optional padding and a line break; anything else is content that merely looks alike.</summary>
    private static bool IsDelimiterEnd(ReadOnlySpan<byte> span, int after) =>
        after >= span.Length || span[after] is (byte)'-' or (byte)'\r' or (byte)'\n' or (byte)' ' or (byte)'\t';

    private static int SkipLineBreakAfterDelimiter(ReadOnlySpan<byte> span, int cur)
    {
        while (cur < span.Length && span[cur] is (byte)' ' or (byte)'\t')
        {
            cur++;
        }

        if (span[cur..].StartsWith("\r\n"u8))
        {
            return cur + 2;
        }

        if (cur < span.Length && span[cur] == '\n')
        {
            return cur + 1;
        }

        throw new PayloadDecodeException("$", "malformed multipart boundary line");
    }

    private static PartHeaders ReadHeaders(ReadOnlySpan<byte> span, ref int cur, int part)
    {
        var headers = default(PartHeaders);
        while (true)
        {
            var lineEnd = cur < span.Length ? span[cur..].IndexOf((byte)'\n') : -1;
            if (lineEnd < 0)
            {
                throw new PayloadDecodeException(PartPath(part), "is truncated in its headers");
            }

            var start = cur;
            var end = cur + lineEnd;
            cur = end + 1;
            if (end > start && span[end - 1] == '\r')
            {
                end--;
            }

            if (end == start)
            {
                return headers;
            }

            var line = span[start..end];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                throw new PayloadDecodeException(PartPath(part), "has a malformed header line");
            }

            var name = line[..colon].Trim((byte)' ');
            var valueStart = start + colon + 1;
            while (valueStart < end && span[valueStart] is (byte)' ' or (byte)'\t')
            {
                valueStart++;
            }

            if (Ascii.EqualsIgnoreCase(name, "Content-Type"u8))
            {
                var semicolon = span[valueStart..end].IndexOf((byte)';');
                var typeEnd = semicolon < 0 ? end : valueStart + semicolon;
                headers.ContentType = valueStart..TrimEnd(span, valueStart, typeEnd);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Content-Disposition"u8))
            {
                headers.Name = FindNameParameter(span, valueStart, end);
                headers.HasFileName = span[valueStart..end].IndexOf("filename="u8) >= 0;
            }
        }
    }

    private static int TrimEnd(ReadOnlySpan<byte> span, int start, int end)
    {
        while (end > start && span[end - 1] is (byte)' ' or (byte)'\t')
        {
            end--;
        }

        return end;
    }

    /// <summary>The <c>name</c> parameter of a Content-Disposition value, quoted or not (not <c>filename</c>).</summary>
    private static Range? FindNameParameter(ReadOnlySpan<byte> span, int start, int end)
    {
        var from = start;
        while (from < end)
        {
            var hit = span[from..end].IndexOf("name="u8);
            if (hit < 0)
            {
                return null;
            }

            var at = from + hit;
            from = at + 5;
            if (at > start && span[at - 1] is not ((byte)';' or (byte)' ' or (byte)'\t'))
            {
                continue;
            }

            if (from < end && span[from] == '"')
            {
                var close = span[(from + 1)..end].IndexOf((byte)'"');
                return close < 0 ? null : (from + 1)..(from + 1 + close);
            }

            var semicolon = span[from..end].IndexOf((byte)';');
            return from..TrimEnd(span, from, semicolon < 0 ? end : from + semicolon);
        }

        return null;
    }

    private static bool IsJsonPart(PartHeaders headers, ReadOnlySpan<byte> content, ReadOnlySpan<byte> span)
    {
        if (headers.ContentType is { } type)
        {
            var media = span[type];
            if (media.IndexOf("json"u8) >= 0 || media.IndexOf("JSON"u8) >= 0)
            {
                return true;
            }

            if (!Ascii.EqualsIgnoreCase(media, "text/plain"u8))
            {
                return false;
            }
        }

        if (headers.Name is { } name &&
            (Ascii.EqualsIgnoreCase(span[name], "event_log"u8) || Ascii.EqualsIgnoreCase(span[name], "AccessControllerEvent"u8)))
        {
            return true;
        }

        // Some firmware sends the JSON part with no content type at all: trust the content.
        var trimmed = HikIsapiCodec.SkipBom(content).TrimStart(" \t\r\n"u8);
        return !headers.HasFileName && trimmed.Length > 0 && trimmed[0] == '{';
    }

    private static bool IsPicturePart(PartHeaders headers, ReadOnlySpan<byte> span)
    {
        if (headers.ContentType is { } type)
        {
            var media = span[type];
            return media.Length > 6 && Ascii.EqualsIgnoreCase(media[..6], "image/"u8);
        }

        return headers.Name is { } name && Ascii.EqualsIgnoreCase(span[name], "Picture"u8);
    }

    private struct PartHeaders
    {
        public Range? ContentType;
        public Range? Name;
        public bool HasFileName;
    }
}
