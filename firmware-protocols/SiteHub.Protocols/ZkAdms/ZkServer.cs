using System.Globalization;
using System.Text;
using SiteHub.Protocols.Punches;

namespace SiteHub.Protocols.ZkAdms;

/// <summary>
/// What the server tells a ZKTeco terminal in the handshake (<c>GET /iclock/cdata?SN=…&amp;options=all</c>).
/// Defaults are the values the protocol document uses in its examples.
/// </summary>
/// <param name="AttLogStamp">Last ATTLOG <c>Stamp</c> the server committed; null asks for everything ("None").</param>
/// <param name="OperLogStamp">Last OPERLOG <c>Stamp</c> committed; null for "None".</param>
/// <param name="AttPhotoStamp">Last ATTPHOTO <c>Stamp</c> committed; null for "None".</param>
public sealed record ZkHandshakeOptions(long? AttLogStamp = null, long? OperLogStamp = null, long? AttPhotoStamp = null)
{
    /// <summary>Retry interval after a failed connection (<c>ErrorDelay</c>, seconds). Default 30 s.</summary>
    public TimeSpan ErrorDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Heartbeat / command-poll interval (<c>Delay</c>, seconds). Default 10 s.</summary>
    public TimeSpan Delay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Times of day for bulk upload (<c>TransTimes</c>, <c>HH:mm;HH:mm</c>). Default "00:00;14:05".</summary>
    public string TransTimes { get; init; } = "00:00;14:05";

    /// <summary>Minutes between checks for new data (<c>TransInterval</c>). Default 1 min.</summary>
    public TimeSpan TransInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>What the device uploads (<c>TransFlag</c>). Default attendance, operation log and user changes.</summary>
    public string TransFlag { get; init; } = "TransData AttLog\tOpLog\tEnrollUser\tChgUser";

    /// <summary>
    /// The time zone the device should keep (<c>TimeZone</c>, whole hours). Null, or an offset that is
    /// not whole hours, omits the line: firmware reads it as whole hours and would truncate +05:30 to
    /// +5, so for such zones the gateway sets the clock with <see cref="ZkCommands.SetTime"/> instead.
    /// Default +08:00.
    /// </summary>
    public TimeSpan? TimeZone { get; init; } = TimeSpan.FromHours(8);

    /// <summary>Upload each record as it happens (<c>Realtime=1</c>). Default true.</summary>
    public bool Realtime { get; init; } = true;

    /// <summary>Encrypted upload (<c>Encrypt</c>). SiteHub only reads plain text. Default false.</summary>
    public bool Encrypt { get; init; }
}

/// <summary>The handshake reply as a terminal reads it (what a simulator receives).</summary>
/// <param name="Sn">The serial in the <c>GET OPTION FROM:</c> line.</param>
/// <param name="Options">Every <c>Key=Value</c> line, keys as written.</param>
public sealed record ZkHandshakeReply(string Sn, IReadOnlyDictionary<string, string> Options);

/// <summary>
/// The server's plain-text replies in the ZKTeco push protocol.
/// </summary>
/// <remarks>
/// Source: ZKTeco "Attendance PUSH Communication Protocol" (PUSH SDK, doc 4.8), "Initialization
/// information exchange": the reply is <c>GET OPTION FROM: ${SerialNumber}</c> followed by
/// <c>ATTLOGStamp</c>, <c>OPERLOGStamp</c>, <c>ATTPHOTOStamp</c>, <c>ErrorDelay</c>, <c>Delay</c>,
/// <c>TransTimes</c>, <c>TransInterval</c>, <c>TransFlag</c>, <c>TimeZone</c>, <c>Realtime</c>,
/// <c>Encrypt</c>, one <c>Key=Value</c> per LF-terminated line; uploads are answered
/// <c>OK: ${count}</c>; a command poll with nothing queued is answered <c>OK</c>.
/// </remarks>
public static class ZkServer
{
    /// <summary>The reply to <c>GET /iclock/getrequest</c> when no command is queued.</summary>
    public const string NoCommand = "OK";

    /// <summary>Builds the reply to the handshake <c>GET /iclock/cdata?SN=…&amp;options=all</c>.</summary>
    public static string HandshakeReply(string sn, ZkHandshakeOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(sn);
        var text = new StringBuilder(320);
        var c = CultureInfo.InvariantCulture;
        text.Append(c, $"GET OPTION FROM: {sn}\n");
        text.Append(c, $"ATTLOGStamp={Stamp(options.AttLogStamp)}\n");
        text.Append(c, $"OPERLOGStamp={Stamp(options.OperLogStamp)}\n");
        text.Append(c, $"ATTPHOTOStamp={Stamp(options.AttPhotoStamp)}\n");
        text.Append(c, $"ErrorDelay={(long)options.ErrorDelay.TotalSeconds}\n");
        text.Append(c, $"Delay={(long)options.Delay.TotalSeconds}\n");
        text.Append(c, $"TransTimes={options.TransTimes}\n");
        text.Append(c, $"TransInterval={(long)options.TransInterval.TotalMinutes}\n");
        text.Append(c, $"TransFlag={options.TransFlag}\n");
        if (options.TimeZone is { } zone && zone.Ticks % TimeSpan.TicksPerHour == 0)
        {
            text.Append(c, $"TimeZone={(long)zone.TotalHours}\n");
        }

        text.Append(c, $"Realtime={(options.Realtime ? 1 : 0)}\n");
        text.Append(c, $"Encrypt={(options.Encrypt ? 1 : 0)}\n");
        return text.ToString();
    }

    /// <summary>The reply to an upload once its records are committed: <c>OK: n</c>.</summary>
    public static string UploadReply(int count) => string.Create(CultureInfo.InvariantCulture, $"OK: {count}");

    /// <summary>Reads an upload reply (<c>OK: n</c>, or a bare <c>OK</c> as 0); false for anything else.</summary>
    public static bool TryParseUploadReply(string reply, out int count)
    {
        count = 0;
        var text = reply.AsSpan().Trim();
        if (text.SequenceEqual("OK"))
        {
            return true;
        }

        return text.StartsWith("OK:", StringComparison.Ordinal) &&
            int.TryParse(text[3..], NumberStyles.AllowLeadingWhite, CultureInfo.InvariantCulture, out count) && count >= 0;
    }

    /// <summary>Reads a handshake reply (simulator side).</summary>
    /// <exception cref="PayloadDecodeException">The text does not start with <c>GET OPTION FROM:</c>.</exception>
    public static ZkHandshakeReply ParseHandshakeReply(string reply)
    {
        var lines = reply.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        const string Head = "GET OPTION FROM:";
        if (lines.Length == 0 || !lines[0].StartsWith(Head, StringComparison.Ordinal))
        {
            throw new PayloadDecodeException("line 1", "must start with 'GET OPTION FROM:'");
        }

        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.AsSpan(1))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                options[line[..eq].Trim()] = line[(eq + 1)..];
            }
        }

        return new ZkHandshakeReply(lines[0][Head.Length..].Trim(), options);
    }

    private static string Stamp(long? stamp) => stamp is { } s ? s.ToString(CultureInfo.InvariantCulture) : "None";
}
