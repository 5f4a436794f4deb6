using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Unicode;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.SiteHubV1;

namespace SiteHub.Protocols.ZkAdms;

/// <summary>A line of an upload that could not be read. The other lines still count.</summary>
/// <param name="Line">1-based line number in the body (blank lines count).</param>
/// <param name="Reason">What is wrong with it.</param>
/// <param name="Raw">The line as received (invalid UTF-8 shown as U+FFFD), for the quarantine.</param>
public sealed record ZkLineError(int Line, string Reason, string Raw);

/// <summary>The outcome of one ATTLOG upload: every line is either a punch or an error.</summary>
/// <param name="Punches">The punches, in body order.</param>
/// <param name="Errors">The lines that could not be read.</param>
public sealed record ZkAttlogResult(IReadOnlyList<DevicePunch> Punches, IReadOnlyList<ZkLineError> Errors)
{
    /// <summary>Records handled (read or reported): what the device is told in <c>OK: n</c> once they are committed.</summary>
    public int RecordCount => Punches.Count + Errors.Count;
}

/// <summary>
/// ZKTeco push protocol (ADMS / "iclock"), attendance records:
/// <c>POST /iclock/cdata?SN=…&amp;table=ATTLOG&amp;Stamp=…</c> with one record per line,
/// <c>PIN⇥yyyy-MM-dd HH:mm:ss⇥status⇥verify⇥workcode⇥reserved⇥reserved…</c>.
/// </summary>
/// <remarks>
/// Source: ZKTeco "Attendance PUSH Communication Protocol" (PUSH SDK; doc 4.8, software 2.4.2,
/// July 2024), "Upload attendance records": fields <c>${Pin}${HT}${Time}${HT}${Status}${HT}${Verify}
/// ${HT}${Workcode}${HT}${Reserved}…${LF}</c>. The time is the terminal's local clock without an
/// offset, so the caller supplies the device's UTC offset. Status is the attendance state the
/// person picked (0 check-in, 1 check-out, 2 break-out, 3 break-in, 4 overtime-in, 5 overtime-out,
/// 255 undefined); verify is how they were verified (0 password, 1 fingerprint, 2 card, 15 face;
/// the other codes are multi-factor or palm modes, which SiteHub records as unknown). Fields after
/// verify (work code, reserved, and the mask and temperature fields of newer firmware) are ignored.
/// Records have no device sequence number, so each punch's id is a hash of serial, instant and PIN
/// (<see cref="EventIds.FromContent"/>): a resent record gets the same id.
/// </remarks>
public static class ZkAttlog
{
    /// <summary>The protocol id devices register with.</summary>
    public const string ProtocolId = "zk-adms";

    /// <summary>
    /// Reads an ATTLOG body. Never throws for what the device sent: a line that cannot be read is
    /// reported in <see cref="ZkAttlogResult.Errors"/> with its number and reason, and the good lines still decode.
    /// </summary>
    /// <param name="body">The request body (CRLF or LF line ends, optional UTF-8 BOM, blank lines skipped).</param>
    /// <param name="sn">The registered serial of the device (the <c>SN</c> query parameter once the gateway checked it).</param>
    /// <param name="deviceUtcOffset">The device's UTC offset (its clock has none), whole minutes within ±14 h.</param>
    public static ZkAttlogResult Decode(ReadOnlySpan<byte> body, string sn, TimeSpan deviceUtcOffset)
    {
        ArgumentException.ThrowIfNullOrEmpty(sn);
        if (!WireTime.IsValidOffset(deviceUtcOffset))
        {
            throw new ArgumentOutOfRangeException(nameof(deviceUtcOffset), deviceUtcOffset, "must be whole minutes within ±14 hours");
        }

        body = SkipBom(body);

        // Sized once from the line count so the list never regrows: the result is the only allocation.
        var punches = new List<DevicePunch>(body.Count((byte)'\n') + 1);
        List<ZkLineError>? errors = null;
        var lineNumber = 0;
        while (!body.IsEmpty)
        {
            lineNumber++;
            var line = NextLine(ref body);
            if (line.Trim(" \t"u8).IsEmpty)
            {
                continue;
            }

            var reason = TryReadRecord(line, sn, deviceUtcOffset, out var punch);
            if (reason is null)
            {
                punches.Add(punch!);
            }
            else
            {
                (errors ??= []).Add(new ZkLineError(lineNumber, reason, Encoding.UTF8.GetString(line)));
            }
        }

        return new ZkAttlogResult(punches, errors is null ? [] : errors);
    }

    /// <summary>Returns null when the line is a punch, else the reason it is not.</summary>
    private static string? TryReadRecord(ReadOnlySpan<byte> line, string sn, TimeSpan offset, out DevicePunch? punch)
    {
        punch = null;
        var pinField = NextField(ref line).Trim((byte)' ');
        if (pinField.IsEmpty)
        {
            return "PIN is empty";
        }

        if (pinField.Length > SiteHubV1Codec.MaxPersonLength)
        {
            return $"PIN is longer than {SiteHubV1Codec.MaxPersonLength} bytes";
        }

        if (pinField.IndexOfAnyInRange((byte)0, (byte)0x1f) >= 0 || pinField.Contains((byte)0x7f) || !Utf8.IsValid(pinField))
        {
            return "PIN has control characters or is not UTF-8";
        }

        var timeField = NextField(ref line).Trim((byte)' ');
        if (timeField.IsEmpty)
        {
            return "time is missing";
        }

        if (!WireTime.TryParseLocal(timeField, out var local))
        {
            return $"time '{Encoding.UTF8.GetString(timeField)}' is not a valid yyyy-MM-dd HH:mm:ss between 2000 and 2099";
        }

        var direction = Direction.Unknown;
        var statusField = NextField(ref line).Trim((byte)' ');
        if (!statusField.IsEmpty)
        {
            if (!TryReadSmallInt(statusField, out var status))
            {
                return $"status '{Encoding.UTF8.GetString(statusField)}' is not a number";
            }

            direction = StatusToDirection(status);
        }

        var mode = VerifyMode.Unknown;
        var verifyField = NextField(ref line).Trim((byte)' ');
        if (!verifyField.IsEmpty)
        {
            if (!TryReadSmallInt(verifyField, out var verify))
            {
                return $"verify '{Encoding.UTF8.GetString(verifyField)}' is not a number";
            }

            mode = VerifyToMode(verify);
        }

        punch = new DevicePunch(sn, null, Encoding.UTF8.GetString(pinField), new DateTimeOffset(local, offset), direction, mode);
        return null;
    }

    /// <summary>0 check-in, 3 break-in, 4 overtime-in arrive; 1 check-out, 2 break-out, 5 overtime-out leave; 255 and others let the gate decide.</summary>
    public static Direction StatusToDirection(int status) => status switch
    {
        0 or 3 or 4 => Direction.In,
        1 or 2 or 5 => Direction.Out,
        _ => Direction.Unknown,
    };

    /// <summary>1 fingerprint, 2 card, 15 face; password and multi-factor codes are unknown to the canonical punch.</summary>
    public static VerifyMode VerifyToMode(int verify) => verify switch
    {
        1 => VerifyMode.Fingerprint,
        2 => VerifyMode.Card,
        15 => VerifyMode.Face,
        _ => VerifyMode.Unknown,
    };

    /// <summary>The inverse of <see cref="StatusToDirection"/>: 0 in, 1 out, 255 undefined.</summary>
    public static int DirectionToStatus(Direction direction) => direction switch
    {
        Direction.In => 0,
        Direction.Out => 1,
        _ => 255,
    };

    /// <summary>The inverse of <see cref="VerifyToMode"/>; modes ZK has no code for are written as 0 (password).</summary>
    public static int ModeToVerify(VerifyMode mode) => mode switch
    {
        VerifyMode.Fingerprint => 1,
        VerifyMode.Card => 2,
        VerifyMode.Face => 15,
        _ => 0,
    };

    /// <summary>
    /// Writes punches as a ZKTeco terminal uploads them: one line each, the time in the punch's
    /// own offset (the device's local clock), status and verify codes mapped back, work code 0.
    /// </summary>
    /// <param name="punches">The records.</param>
    /// <param name="lineEnding">"\n" as most firmware sends, or "\r\n".</param>
    public static byte[] Encode(IEnumerable<DevicePunch> punches, string lineEnding = "\n")
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        Span<byte> time = stackalloc byte[19];
        foreach (var punch in punches)
        {
            Write(buffer, punch.Person);
            Write(buffer, "\t");
            WireTime.FormatLocal(punch.Time.DateTime, time);
            buffer.Write(time);
            Write(buffer, $"\t{DirectionToStatus(punch.Direction)}\t{ModeToVerify(punch.Mode)}\t0\t0\t0{lineEnding}");
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(ArrayBufferWriter<byte> buffer, string text)
    {
        var written = Encoding.UTF8.GetBytes(text, buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length)));
        buffer.Advance(written);
    }

    internal static ReadOnlySpan<byte> SkipBom(ReadOnlySpan<byte> body) =>
        body.StartsWith(JsonWire.Bom) ? body[JsonWire.Bom.Length..] : body;

    /// <summary>Cuts the next line off <paramref name="body"/>; the LF and a CR before it are not part of the line.</summary>
    internal static ReadOnlySpan<byte> NextLine(ref ReadOnlySpan<byte> body)
    {
        var lf = body.IndexOf((byte)'\n');
        ReadOnlySpan<byte> line;
        if (lf < 0)
        {
            line = body;
            body = default;
        }
        else
        {
            line = body[..lf];
            body = body[(lf + 1)..];
        }

        return !line.IsEmpty && line[^1] == '\r' ? line[..^1] : line;
    }

    private static ReadOnlySpan<byte> NextField(ref ReadOnlySpan<byte> line)
    {
        var tab = line.IndexOf((byte)'\t');
        ReadOnlySpan<byte> field;
        if (tab < 0)
        {
            field = line;
            line = default;
        }
        else
        {
            field = line[..tab];
            line = line[(tab + 1)..];
        }

        return field;
    }

    private static bool TryReadSmallInt(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        return text.Length <= 6 && text[0] is >= (byte)'0' and <= (byte)'9' &&
            Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length;
    }
}
