using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using SiteHub.Gateway.Commands;
using SiteHub.Gateway.DevicePush;
using SiteHub.Gateway.Devices;
using SiteHub.Gateway.Ingest;
using SiteHub.Protocols.Devices;
using SiteHub.Protocols.ZkAdms;

namespace SiteHub.Gateway.ZkPush;

/// <summary>
/// The ZKTeco push protocol (ADMS, "iclock") at the gateway. A terminal's menu
/// (Comm. → Cloud Server Setting / ADMS) takes the gateway's address and HTTP port; the terminal
/// then calls, as ZKTeco's "Attendance PUSH Communication Protocol" (PUSH SDK doc 4.8) describes:
/// <list type="bullet">
/// <item><c>GET /iclock/cdata?SN=…&amp;options=all</c>: handshake, answered with the stamps the gateway committed;</item>
/// <item><c>POST /iclock/cdata?SN=…&amp;table=ATTLOG&amp;Stamp=…</c>: records, answered <c>OK: n</c> only after their commit;</item>
/// <item><c>POST /iclock/cdata?SN=…&amp;table=OPERLOG</c> (and USERINFO…): accepted and logged;</item>
/// <item><c>GET /iclock/getrequest?SN=…</c>: heartbeat and command pickup (<c>C:{id}:…</c> lines);</item>
/// <item><c>POST /iclock/devicecmd?SN=…</c>: command results (<c>ID=…&amp;Return=…&amp;CMD=…</c>).</item>
/// </list>
/// Anonymous (terminals send no credentials); <see cref="DevicePushGate"/> admits only allowed
/// networks and registered <c>zk-adms</c> serials.
/// </summary>
public static partial class ZkPushEndpoints
{
    private const string TextPlain = "text/plain; charset=utf-8";

    public static IEndpointRouteBuilder MapZkPush(this IEndpointRouteBuilder app)
    {
        var gate = app.ServiceProvider.GetRequiredService<DevicePushGate>();
        var iclock = app.MapGroup("/iclock").AllowAnonymous().AddEndpointFilter(gate.FilterAsync);
        iclock.MapGet("/cdata", Handshake);
        iclock.MapPost("/cdata", UploadAsync);
        iclock.MapGet("/getrequest", GetRequest);
        iclock.MapPost("/devicecmd", DeviceCmdAsync);
        iclock.MapGet("/ping", (HttpContext http, DevicePushGate g) =>
            g.Admit(http, http.Request.Query["SN"], ZkAttlog.ProtocolId).Refusal ?? Results.Text("OK", TextPlain));
        return app;
    }

    private static IResult Handshake(HttpContext http, DevicePushGate gate, ZkStampStore stamps, DeviceRegistry registry, IOptions<DevicePushOptions> options, TimeProvider clock)
    {
        var (device, refusal) = gate.Admit(http, http.Request.Query["SN"], ZkAttlog.ProtocolId);
        if (device is null)
        {
            return refusal!;
        }

        var known = stamps.Get(device.Sn);
        stamps.NoteHandshake(device.Sn, clock.GetUtcNow());
        registry.SetOnline(device.Sn, true);
        var reply = ZkServer.HandshakeReply(device.Sn, new ZkHandshakeOptions(known.AttLog, known.OperLog, known.AttPhoto)
        {
            Delay = options.Value.ZkPollInterval,
            TimeZone = DeviceOffset(device, options.Value),
        });
        return Results.Text(reply, TextPlain);
    }

    private static async Task<IResult> UploadAsync(
        HttpContext http, DevicePushGate gate, DeviceIngest ingest, ZkStampStore stamps, IOptions<DevicePushOptions> options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (device, refusal) = gate.Admit(http, http.Request.Query["SN"], ZkAttlog.ProtocolId);
        if (device is null)
        {
            return refusal!;
        }

        var body = await gate.ReadBodyAsync(http, device, cancellationToken);
        if (body.Bytes is null)
        {
            return body.Refusal!;
        }

        var table = ((string?)http.Request.Query["table"] ?? "").ToUpperInvariant();
        var source = "http:/iclock/cdata table=" + table;
        var logger = loggers.CreateLogger(typeof(ZkPushEndpoints));
        int count;
        switch (table)
        {
            case "ATTLOG":
            {
                var decoded = ZkAttlog.Decode(body.Bytes, device.Sn, DeviceOffset(device, options.Value));
                var writes = new List<Task>(decoded.Errors.Count + 1) { ingest.CommitPunchesAsync(device, decoded.Punches, cancellationToken) };
                foreach (var error in decoded.Errors)
                {
                    writes.Add(ingest.QuarantineAsync(device.Sn, $"{source} line {error.Line}", device.Protocol, Encoding.UTF8.GetBytes(error.Raw), error.Reason, cancellationToken));
                }

                // The reply below is the device's permission to forget these records: every write first.
                await Task.WhenAll(writes);
                count = decoded.RecordCount;
                LogAttlog(logger, device.Sn, decoded.Punches.Count, decoded.Errors.Count);
                break;
            }

            case "OPERLOG" or "USERINFO" or "BIODATA" or "FINGERTMP":
            {
                var upload = ZkTables.Decode(body.Bytes, table);
                count = upload.Count;
                LogTable(logger, device.Sn, table, count, upload.Lines.Count > 0 ? upload.Lines[0] : "");
                break;
            }

            default:
            {
                // Not read by SiteHub, but kept: a terminal told OK forgets what it sent.
                await ingest.QuarantineAsync(device.Sn, source, device.Protocol, body.Bytes, $"table '{table}' is not read by this gateway; kept raw", cancellationToken);
                count = Math.Max(1, ZkTables.Decode(body.Bytes, table).Count);
                break;
            }
        }

        if (long.TryParse(http.Request.Query["Stamp"], NumberStyles.None, CultureInfo.InvariantCulture, out var stamp))
        {
            stamps.SaveStamp(device.Sn, table, stamp);
        }

        return Results.Text(ZkServer.UploadReply(count), TextPlain);
    }

    private static IResult GetRequest(
        HttpContext http, DevicePushGate gate, DeviceIngest ingest, CommandQueue commands, IOptions<DevicePushOptions> options, TimeProvider clock)
    {
        var (device, refusal) = gate.Admit(http, http.Request.Query["SN"], ZkAttlog.ProtocolId);
        if (device is null)
        {
            return refusal!;
        }

        ingest.ApplyStatus(device, ReadInfo(http.Request.Query["INFO"]));
        var offset = DeviceOffset(device, options.Value);
        var now = clock.GetUtcNow();
        var lines = commands.TakeDeliverable(device.Sn).Select(c => ZkCommandText.From(c, offset, now));
        return Results.Text(ZkCommands.RequestReply(lines), TextPlain);
    }

    private static async Task<IResult> DeviceCmdAsync(
        HttpContext http, DevicePushGate gate, DeviceIngest ingest, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (device, refusal) = gate.Admit(http, http.Request.Query["SN"], ZkAttlog.ProtocolId);
        if (device is null)
        {
            return refusal!;
        }

        var body = await gate.ReadBodyAsync(http, device, cancellationToken);
        if (body.Bytes is null)
        {
            return body.Refusal!;
        }

        var parsed = ZkCommands.ParseResults(body.Bytes);
        var logger = loggers.CreateLogger(typeof(ZkPushEndpoints));
        foreach (var result in parsed.Results)
        {
            if (!ingest.CompleteCommand(device.Sn, result.Id, result.Succeeded, result.Succeeded ? null : $"device returned {result.Return} for {result.Cmd}"))
            {
                LogUnmatchedResult(logger, device.Sn, result.Id);
            }
        }

        foreach (var error in parsed.Errors)
        {
            await ingest.QuarantineAsync(device.Sn, $"http:/iclock/devicecmd line {error.Line}", device.Protocol, Encoding.UTF8.GetBytes(error.Raw), error.Reason, cancellationToken);
        }

        return Results.Text("OK", TextPlain);
    }

    /// <summary>The device clock's offset: its registration, else <c>DevicePush:DefaultUtcOffset</c>.</summary>
    public static TimeSpan DeviceOffset(DeviceRecord device, DevicePushOptions options) =>
        device.UtcOffsetMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : options.DefaultOffset;

    /// <summary>
    /// <c>INFO=Ver 8.0.4-20210130,12,3,1530,192.168.1.201,…</c>: firmware, users, fingerprints,
    /// records, IP… (PUSH SDK doc 4.8, "getrequest"). Only what the registry shows is kept.
    /// </summary>
    public static DeviceStatus ReadInfo(string? info)
    {
        if (string.IsNullOrEmpty(info))
        {
            return new DeviceStatus(Online: true);
        }

        var fields = info.Split(',');
        var firmware = fields[0].StartsWith("Ver ", StringComparison.Ordinal) ? fields[0][4..].Trim() : fields[0].Trim();
        int? users = fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var u) ? u : null;
        int? records = fields.Length > 3 && int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : null;
        return new DeviceStatus(Online: true, Firmware: firmware.Length is > 0 and <= 64 ? firmware : null, Enrolled: users, Cached: records);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ATTLOG from {DeviceSn}: {Punches} punches committed, {Errors} lines quarantined")]
    private static partial void LogAttlog(ILogger logger, string deviceSn, int punches, int errors);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Table} from {DeviceSn}: {Count} lines accepted (first: {First})")]
    private static partial void LogTable(ILogger logger, string deviceSn, string table, int count, string first);

    [LoggerMessage(Level = LogLevel.Information, Message = "Command result {CommandId} from {DeviceSn} matches no open command (a late duplicate)")]
    private static partial void LogUnmatchedResult(ILogger logger, string deviceSn, long commandId);
}
