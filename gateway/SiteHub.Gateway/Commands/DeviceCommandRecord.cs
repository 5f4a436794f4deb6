using System.Text.Json.Serialization;
using LiteDB;

namespace SiteHub.Gateway.Commands;

/// <summary>Where a queued command stands.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CommandState>))]
public enum CommandState
{
    /// <summary>Waiting for the device to be reachable.</summary>
    [JsonStringEnumMemberName("queued")] Queued,

    /// <summary>Handed to the device; no result yet (resent after <c>Commands:ResendAfter</c>).</summary>
    [JsonStringEnumMemberName("sent")] Sent,

    /// <summary>The device reported success.</summary>
    [JsonStringEnumMemberName("done")] Done,

    /// <summary>The device reported failure, or no result came after <c>Commands:MaxAttempts</c> sends.</summary>
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>The operations every protocol maps: the <c>op</c> of <c>POST /api/devices/{sn}/commands</c>.</summary>
public static class CommandOps
{
    public const string Open = "open";
    public const string Reboot = "reboot";
    public const string SyncTime = "sync-time";
    public const string UpsertPerson = "upsert-person";
    public const string DeletePerson = "delete-person";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Open, Reboot, SyncTime, UpsertPerson, DeletePerson };

    /// <summary>What is wrong with <paramref name="op"/> and its arguments, or null.</summary>
    public static string? Problem(string? op, IReadOnlyDictionary<string, string>? args)
    {
        if (op is null || !All.Contains(op))
        {
            return $"op must be one of {string.Join(", ", All)}";
        }

        if (op is UpsertPerson or DeletePerson)
        {
            var person = args?.GetValueOrDefault("person");
            if (string.IsNullOrEmpty(person) || person.Length > 64 || person.AsSpan().IndexOfAny("\t\r\n =") >= 0)
            {
                return "args.person is required: 1-64 characters without spaces, tabs, line breaks or '='";
            }
        }

        if (op == UpsertPerson && string.IsNullOrWhiteSpace(args?.GetValueOrDefault("name")))
        {
            return "args.name is required for upsert-person";
        }

        if (op == Open && args?.GetValueOrDefault("door") is { } door && !(int.TryParse(door, out var d) && d is >= 1 and <= 254))
        {
            return "args.door must be 1-254";
        }

        return null;
    }
}

/// <summary>One command to one device, as the durable queue keeps it.</summary>
public sealed record DeviceCommandRecord
{
    /// <summary>Gateway-wide number; also the ZKTeco <c>C:{id}</c> and the MQTT command id.</summary>
    [BsonId] public long Id { get; init; }

    public string Sn { get; init; } = "";

    public string Op { get; init; } = "";

    public Dictionary<string, string> Args { get; init; } = [];

    public CommandState State { get; init; }

    /// <summary>Who asked: <c>api</c>, <c>enrolment</c>, <c>clock-skew</c>.</summary>
    public string Origin { get; init; } = "api";

    public int Attempts { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? SentAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>The device's error, or why the gateway could not deliver (e.g. no ISAPI URL).</summary>
    public string? Error { get; init; }

    /// <summary>True while the device may still act on it.</summary>
    [BsonIgnore] public bool IsOpen => State is CommandState.Queued or CommandState.Sent;
}
