using System.Text.Json.Serialization;
using System.Text.Json;
using SiteHub.Gateway.Commands;
using SiteHub.Gateway.Devices;
using SiteHub.Platform.Mqtt;
using SiteHub.Platform.Web;
using SiteHub.Protocols.Punches;

namespace SiteHub.Gateway.WebUi;

/// <summary>One row of the devices table.</summary>
public sealed record DeviceRow(
    string Sn, string Protocol, string? Gate, string Direction, bool Online, DateTimeOffset? LastSeen, double? ClockSkewSeconds,
    int? Cached, int? Capacity, int? Enrolled, int Roster, string? Firmware)
{
    public static DeviceRow From(DeviceRecord d, double? skewMs, int confirmedEnrolled, int roster) => new(
        d.Sn, d.Protocol, d.Gate, DeviceView.From(d).Direction, d.Online, d.LastSeen, skewMs is { } ms ? Math.Round(ms / 1000, 1) : null,
        d.Cached, d.Capacity, d.Enrolled ?? confirmedEnrolled, roster, d.Firmware);
}

/// <summary>One row of the pending devices table.</summary>
public sealed record PendingRow(string Sn, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, int Attempts, string? RemoteAddress);

/// <summary>One command as the device page shows it.</summary>
public sealed record CommandRow(long Id, string Sn, string Op, string State, string Origin, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, string? Error)
{
    public static CommandRow From(DeviceCommandRecord c) => new(
        c.Id, c.Sn, c.Op, c.State.ToString().ToLowerInvariant(), c.Origin, c.Attempts, c.CreatedAt, c.CompletedAt, c.Error);
}

/// <summary>One recent punch; the person's id is masked.</summary>
public sealed record PunchRow(string EventId, DateTimeOffset OccurredAt, string DeviceSn, string? Gate, string Direction, string Person, string? Name, string Mode)
{
    public static PunchRow From(Punch p, string? name) => new(
        p.EventId, p.OccurredAt, p.DeviceSn, p.GateId, p.Direction.ToString().ToLowerInvariant(), PersonIdMask.Mask(p.PersonId), name, p.VerifyMode.ToString().ToLowerInvariant());
}

/// <summary>The uplink panel: is the hub reachable, and how much is waiting.</summary>
public sealed record UplinkPanel(
    bool Connected, string Link, string? LastError, long Backlog, DateTimeOffset? OldestUnsentAt, double? OldestAgeSeconds,
    DateTimeOffset? LastAckAt, long Acked, double PerMinute)
{
    public static string LinkName(MqttLinkState state) => state.ToString().ToLowerInvariant();
}

/// <summary>Source-generated JSON of everything the pages read (camelCase, for the scripts).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(DeviceRow))]
[JsonSerializable(typeof(IReadOnlyList<DeviceRow>))]
[JsonSerializable(typeof(PendingRow))]
[JsonSerializable(typeof(IReadOnlyList<PendingRow>))]
[JsonSerializable(typeof(CommandRow))]
[JsonSerializable(typeof(IReadOnlyList<CommandRow>))]
[JsonSerializable(typeof(PunchRow))]
[JsonSerializable(typeof(IReadOnlyList<PunchRow>))]
[JsonSerializable(typeof(UplinkPanel))]
[JsonSerializable(typeof(string))]
public sealed partial class WebUiJsonContext : JsonSerializerContext;

/// <summary>Throughput over a sliding window (pure): punches acked per minute from running totals.</summary>
public sealed class Throughput(TimeSpan window)
{
    private readonly Queue<(DateTimeOffset At, long Total)> _samples = new();

    /// <summary>Adds a sample of the running total and returns the rate per minute over the window.</summary>
    public double Add(DateTimeOffset now, long total)
    {
        _samples.Enqueue((now, total));
        while (_samples.Count > 1 && now - _samples.Peek().At > window)
        {
            _samples.Dequeue();
        }

        var (firstAt, firstTotal) = _samples.Peek();
        var elapsed = now - firstAt;
        return elapsed <= TimeSpan.Zero ? 0 : Math.Round((total - firstTotal) / elapsed.TotalMinutes, 1);
    }
}
