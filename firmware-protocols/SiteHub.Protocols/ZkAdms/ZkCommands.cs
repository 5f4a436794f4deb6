using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace SiteHub.Protocols.ZkAdms;

/// <summary>What a ZKTeco command line asks for.</summary>
public enum ZkCommandKind
{
    /// <summary>Anything not listed (kept as text).</summary>
    Other,

    /// <summary><c>DATA UPDATE USERINFO PIN=…⇥Name=…</c>: enrol or update a person.</summary>
    UpsertUser,

    /// <summary><c>DATA DELETE USERINFO PIN=…</c>.</summary>
    DeleteUser,

    /// <summary><c>REBOOT</c>.</summary>
    Reboot,

    /// <summary><c>CONTROL DEVICE 01dd01ss</c>: pulse a door's lock output (access-control terminals).</summary>
    OpenDoor,

    /// <summary><c>AC_UNLOCK</c>: open the lock (attendance terminals with a lock output).</summary>
    Unlock,

    /// <summary><c>SET OPTION DateTime=…</c>: set the clock.</summary>
    SetTime,
}

/// <summary>A command as the terminal receives it from <c>GET /iclock/getrequest</c>.</summary>
/// <param name="Id">The command id, echoed in the result.</param>
/// <param name="Kind">What it asks for.</param>
/// <param name="Text">The command after <c>C:{id}:</c>.</param>
/// <param name="Fields">For USERINFO commands the <c>Key=Value</c> fields (PIN, Name, …); for SET OPTION the option; else empty.</param>
public sealed record ZkCommand(long Id, ZkCommandKind Kind, string Text, IReadOnlyDictionary<string, string> Fields)
{
    /// <summary>The <c>CMD</c> name the terminal reports in its result: the first word of the command.</summary>
    public string ResultName => Text.Split(' ', 2)[0];
}

/// <summary>One result line of <c>POST /iclock/devicecmd</c>: <c>ID=…&amp;Return=…&amp;CMD=…</c>.</summary>
/// <param name="Id">The command id.</param>
/// <param name="Return">0 is success; negative values are the device's error codes.</param>
/// <param name="Cmd">The command name the device reports (<c>DATA</c>, <c>REBOOT</c>, <c>CONTROL</c>…), or empty.</param>
public sealed record ZkCommandResult(long Id, int Return, string Cmd)
{
    /// <summary>True when the device carried the command out.</summary>
    public bool Succeeded => Return == 0;
}

/// <summary>The results in one <c>devicecmd</c> body, and the lines that could not be read.</summary>
public sealed record ZkCommandResults(IReadOnlyList<ZkCommandResult> Results, IReadOnlyList<ZkLineError> Errors);

/// <summary>
/// Commands to ZKTeco terminals: one line <c>C:{id}:{command}</c> each, returned in the body of
/// <c>GET /iclock/getrequest</c>; the terminal answers with <c>POST /iclock/devicecmd</c>.
/// </summary>
/// <remarks>
/// Sources: ZKTeco "Attendance PUSH Communication Protocol" (PUSH SDK, doc 4.8), "Command":
/// <c>C:${CmdID}:DATA UPDATE USERINFO PIN=${XXX}${HT}Name=${XXX}${HT}Pri=${XXX}…</c>,
/// <c>C:${CmdID}:DATA DELETE USERINFO PIN=${XXX}</c>, <c>C:${CmdID}:REBOOT</c>,
/// <c>C:${CmdID}:AC_UNLOCK</c>, <c>C:${CmdID}:SET OPTION ${Key}=${Value}</c>, and the reply
/// <c>ID=${CmdID}&amp;Return=${XXX}&amp;CMD=${XXX}</c>. Door control on access-control terminals
/// follows the "Security PUSH Communication Protocol" (doc 2.3): <c>CONTROL DEVICE AABBCCDD</c>
/// with AA=01 (output), BB=door, CC=01 (lock), DD=seconds, two hex digits each (FF holds the
/// door open). <c>DateTime</c> is the firmware's packed clock: seconds since 2000-01-01 counting
/// 31-day months and 12-month years.
/// </remarks>
public static class ZkCommands
{
    /// <summary>Enrols or updates a person: <c>C:{id}:DATA UPDATE USERINFO PIN=…⇥Name=…⇥Pri=…[⇥Card=…]</c>.</summary>
    /// <param name="id">Command id (unique per device while pending).</param>
    /// <param name="pin">The person id enrolled on the device.</param>
    /// <param name="name">Display name; tabs and line breaks become spaces so they cannot split the record.</param>
    /// <param name="privilege">0 normal user, 14 administrator.</param>
    /// <param name="card">Card number, if the person has one.</param>
    public static string UpsertUser(long id, string pin, string name, int privilege = 0, string? card = null)
    {
        CheckPin(pin);
        var line = new StringBuilder(96);
        line.Append(CultureInfo.InvariantCulture, $"C:{id}:DATA UPDATE USERINFO PIN={pin}\tName={Clean(name)}\tPri={privilege}");
        if (!string.IsNullOrEmpty(card))
        {
            line.Append(CultureInfo.InvariantCulture, $"\tCard={Clean(card)}");
        }

        return line.ToString();
    }

    /// <summary>Removes a person: <c>C:{id}:DATA DELETE USERINFO PIN=…</c>.</summary>
    public static string DeleteUser(long id, string pin)
    {
        CheckPin(pin);
        return string.Create(CultureInfo.InvariantCulture, $"C:{id}:DATA DELETE USERINFO PIN={pin}");
    }

    /// <summary><c>C:{id}:REBOOT</c>.</summary>
    public static string Reboot(long id) => string.Create(CultureInfo.InvariantCulture, $"C:{id}:REBOOT");

    /// <summary>Opens a door's lock for a few seconds: <c>C:{id}:CONTROL DEVICE 01{door}01{seconds}</c> (access-control terminals).</summary>
    /// <param name="id">Command id.</param>
    /// <param name="door">Door number, 1–254.</param>
    /// <param name="seconds">How long the lock stays open, 1–254 s.</param>
    public static string OpenDoor(long id, int door = 1, int seconds = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(door, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(door, 254);
        ArgumentOutOfRangeException.ThrowIfLessThan(seconds, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(seconds, 254);
        return string.Create(CultureInfo.InvariantCulture, $"C:{id}:CONTROL DEVICE 01{door:X2}01{seconds:X2}");
    }

    /// <summary>Opens the lock of an attendance terminal: <c>C:{id}:AC_UNLOCK</c>.</summary>
    public static string Unlock(long id) => string.Create(CultureInfo.InvariantCulture, $"C:{id}:AC_UNLOCK");

    /// <summary>Sets the clock: <c>C:{id}:SET OPTION DateTime={packed}</c>, the device's local wall-clock time.</summary>
    public static string SetTime(long id, DateTime deviceLocalTime) =>
        string.Create(CultureInfo.InvariantCulture, $"C:{id}:SET OPTION DateTime={PackTime(deviceLocalTime)}");

    /// <summary>The firmware's packed clock: ((years since 2000 × 12 + month − 1) × 31 + day − 1) × 86400 + seconds of the day.</summary>
    public static long PackTime(DateTime local)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(local.Year, 2000);
        return ((((long)(local.Year - 2000) * 12 + local.Month - 1) * 31 + local.Day - 1) * 86400) +
            (local.Hour * 3600) + (local.Minute * 60) + local.Second;
    }

    /// <summary>The inverse of <see cref="PackTime"/>; false for a value that is no real date.</summary>
    public static bool TryUnpackTime(long packed, out DateTime local)
    {
        local = default;
        if (packed < 0)
        {
            return false;
        }

        var second = (int)(packed % 60);
        packed /= 60;
        var minute = (int)(packed % 60);
        packed /= 60;
        var hour = (int)(packed % 24);
        packed /= 24;
        var day = (int)(packed % 31) + 1;
        packed /= 31;
        var month = (int)(packed % 12) + 1;
        var year = 2000 + (packed / 12);
        if (year > 9999 || day > DateTime.DaysInMonth((int)year, month))
        {
            return false;
        }

        local = new DateTime((int)year, month, day, hour, minute, second, DateTimeKind.Unspecified);
        return true;
    }

    /// <summary>The body of a <c>getrequest</c> reply: the queued commands one per line, or <see cref="ZkServer.NoCommand"/>.</summary>
    public static string RequestReply(IEnumerable<string> commands)
    {
        var body = string.Join('\n', commands);
        return body.Length == 0 ? ZkServer.NoCommand : body + "\n";
    }

    /// <summary>Reads one command line <c>C:{id}:{command}</c> (simulator side).</summary>
    public static bool TryParse(string line, [NotNullWhen(true)] out ZkCommand? command)
    {
        command = null;
        line = line.TrimEnd('\r', '\n');
        if (!line.StartsWith("C:", StringComparison.Ordinal))
        {
            return false;
        }

        var colon = line.IndexOf(':', 2);
        if (colon < 0 || !long.TryParse(line.AsSpan(2, colon - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return false;
        }

        var text = line[(colon + 1)..];
        var (kind, fields) = Classify(text);
        command = new ZkCommand(id, kind, text, fields);
        return true;
    }

    private static (ZkCommandKind Kind, IReadOnlyDictionary<string, string> Fields) Classify(string text)
    {
        const string Update = "DATA UPDATE USERINFO ";
        const string Delete = "DATA DELETE USERINFO ";
        const string SetOption = "SET OPTION ";
        if (text.StartsWith(Update, StringComparison.Ordinal))
        {
            return (ZkCommandKind.UpsertUser, ReadFields(text[Update.Length..], '\t'));
        }

        if (text.StartsWith(Delete, StringComparison.Ordinal))
        {
            return (ZkCommandKind.DeleteUser, ReadFields(text[Delete.Length..], '\t'));
        }

        if (text.StartsWith(SetOption, StringComparison.Ordinal))
        {
            var fields = ReadFields(text[SetOption.Length..], '\t');
            return (fields.ContainsKey("DateTime") ? ZkCommandKind.SetTime : ZkCommandKind.Other, fields);
        }

        var kind = text switch
        {
            "REBOOT" => ZkCommandKind.Reboot,
            "AC_UNLOCK" => ZkCommandKind.Unlock,
            _ when text.StartsWith("CONTROL DEVICE 01", StringComparison.Ordinal) => ZkCommandKind.OpenDoor,
            _ => ZkCommandKind.Other,
        };
        return (kind, new Dictionary<string, string>());
    }

    private static Dictionary<string, string> ReadFields(string text, char separator)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in text.Split(separator))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                fields[pair[..eq]] = pair[(eq + 1)..];
            }
        }

        return fields;
    }

    /// <summary>One result line as the terminal posts it: <c>ID={id}&amp;Return={code}&amp;CMD={name}</c>.</summary>
    public static string ResultLine(long id, int returnCode, string cmd) =>
        string.Create(CultureInfo.InvariantCulture, $"ID={id}&Return={returnCode}&CMD={cmd}");

    /// <summary>
    /// Reads a <c>POST /iclock/devicecmd</c> body: one <c>ID=…&amp;Return=…&amp;CMD=…</c> per line.
    /// Never throws for what the device sent: unreadable lines are reported with their number.
    /// </summary>
    public static ZkCommandResults ParseResults(ReadOnlySpan<byte> body)
    {
        body = ZkAttlog.SkipBom(body);
        var results = new List<ZkCommandResult>();
        List<ZkLineError>? errors = null;
        var lineNumber = 0;
        while (!body.IsEmpty)
        {
            lineNumber++;
            var line = ZkAttlog.NextLine(ref body).Trim(" \t"u8);
            if (line.IsEmpty)
            {
                continue;
            }

            long? id = null;
            int? code = null;
            var cmd = "";
            var rest = line;
            while (!rest.IsEmpty)
            {
                var amp = rest.IndexOf((byte)'&');
                var pair = amp < 0 ? rest : rest[..amp];
                rest = amp < 0 ? default : rest[(amp + 1)..];
                var eq = pair.IndexOf((byte)'=');
                if (eq <= 0)
                {
                    continue;
                }

                var key = pair[..eq];
                var value = pair[(eq + 1)..];
                if (key.SequenceEqual("ID"u8) && Utf8Parser.TryParse(value, out long parsedId, out var used) && used == value.Length && parsedId >= 0)
                {
                    id = parsedId;
                }
                else if (key.SequenceEqual("Return"u8) && Utf8Parser.TryParse(value, out int parsedCode, out used) && used == value.Length)
                {
                    code = parsedCode;
                }
                else if (key.SequenceEqual("CMD"u8))
                {
                    cmd = Encoding.UTF8.GetString(value);
                }
            }

            if (id is { } i && code is { } r)
            {
                results.Add(new ZkCommandResult(i, r, cmd));
            }
            else
            {
                var reason = id is null ? "ID is missing or not a number" : "Return is missing or not a number";
                (errors ??= []).Add(new ZkLineError(lineNumber, reason, Encoding.UTF8.GetString(line)));
            }
        }

        return new ZkCommandResults(results, errors is null ? [] : errors);
    }

    private static void CheckPin(string pin)
    {
        ArgumentException.ThrowIfNullOrEmpty(pin);
        if (pin.Length > SiteHubV1.SiteHubV1Codec.MaxPersonLength || pin.AsSpan().IndexOfAny("\t\r\n =") >= 0 ||
            pin.AsSpan().ContainsAnyInRange('\0', '\x1f'))
        {
            throw new ArgumentException("PIN must be 1–64 characters without spaces, tabs, line breaks or '='", nameof(pin));
        }
    }

    private static string Clean(string value)
    {
        var chars = value.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsControl(chars[i]))
            {
                chars[i] = ' ';
            }
        }

        return new string(chars).Trim();
    }
}
