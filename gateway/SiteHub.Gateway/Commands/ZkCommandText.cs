using System.Globalization;
using SiteHub.Protocols.ZkAdms;

namespace SiteHub.Gateway.Commands;

/// <summary>Queued commands as ZKTeco <c>getrequest</c> lines (pure).</summary>
public static class ZkCommandText
{
    /// <summary>The <c>C:{id}:…</c> line for <paramref name="command"/>; the clock is read for sync-time.</summary>
    /// <param name="command">The queued command.</param>
    /// <param name="deviceOffset">The device clock's UTC offset (ZKTeco clocks are local time).</param>
    /// <param name="now">The gateway clock, for sync-time.</param>
    public static string From(DeviceCommandRecord command, TimeSpan deviceOffset, DateTimeOffset now)
    {
        var args = command.Args;
        return command.Op switch
        {
            CommandOps.UpsertPerson => ZkCommands.UpsertUser(command.Id, args["person"], args.GetValueOrDefault("name") ?? args["person"], card: args.GetValueOrDefault("card")),
            CommandOps.DeletePerson => ZkCommands.DeleteUser(command.Id, args["person"]),
            CommandOps.Reboot => ZkCommands.Reboot(command.Id),
            CommandOps.Open => ZkCommands.OpenDoor(command.Id, int.TryParse(args.GetValueOrDefault("door"), CultureInfo.InvariantCulture, out var door) ? door : 1),
            CommandOps.SyncTime => ZkCommands.SetTime(command.Id, now.ToOffset(deviceOffset).DateTime),
            _ => throw new ArgumentException($"unknown op {command.Op}", nameof(command)),
        };
    }
}
