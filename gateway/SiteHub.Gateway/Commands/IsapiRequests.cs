using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SiteHub.Gateway.Commands;

/// <summary>One HTTP request to a Hikvision device.</summary>
public sealed record IsapiRequest(HttpMethod Method, string Path, string? Body, string ContentType);

/// <summary>
/// Queued commands as Hikvision ISAPI requests (pure). Paths and bodies from Hikvision's
/// "ISAPI Access Control" and "ISAPI System" specifications: <c>PUT /ISAPI/AccessControl/RemoteControl/door/{n}</c>
/// with <c>RemoteControlDoor{cmd=open}</c>, <c>PUT /ISAPI/System/reboot</c>,
/// <c>PUT /ISAPI/System/time</c> with <c>Time{timeMode=manual, localTime}</c>,
/// <c>POST /ISAPI/AccessControl/UserInfo/SetUp?format=json</c> with <c>UserInfo{employeeNo, name, userType, Valid}</c>,
/// <c>PUT /ISAPI/AccessControl/UserInfoDetail/Delete?format=json</c> with <c>UserInfoDetail{mode=byEmployeeNo, EmployeeNoList}</c>.
/// </summary>
public static class IsapiRequests
{
    public static IsapiRequest From(DeviceCommandRecord command, DateTimeOffset now)
    {
        var args = command.Args;
        return command.Op switch
        {
            CommandOps.Open => new(HttpMethod.Put, $"/ISAPI/AccessControl/RemoteControl/door/{args.GetValueOrDefault("door") ?? "1"}",
                "<RemoteControlDoor><cmd>open</cmd></RemoteControlDoor>", "application/xml"),
            CommandOps.Reboot => new(HttpMethod.Put, "/ISAPI/System/reboot", null, "application/xml"),
            CommandOps.SyncTime => new(HttpMethod.Put, "/ISAPI/System/time",
                string.Create(CultureInfo.InvariantCulture, $"<Time><timeMode>manual</timeMode><localTime>{now:yyyy-MM-dd'T'HH:mm:sszzz}</localTime></Time>"), "application/xml"),
            CommandOps.UpsertPerson => new(HttpMethod.Post, "/ISAPI/AccessControl/UserInfo/SetUp?format=json", Json(w =>
            {
                w.WriteStartObject("UserInfo");
                w.WriteString("employeeNo", args["person"]);
                w.WriteString("name", args.GetValueOrDefault("name") ?? args["person"]);
                w.WriteString("userType", "normal");
                w.WriteStartObject("Valid");
                w.WriteBoolean("enable", true);
                w.WriteString("beginTime", "2000-01-01T00:00:00");
                w.WriteString("endTime", "2037-12-31T23:59:59");
                w.WriteEndObject();
                w.WriteEndObject();
            }), "application/json"),
            CommandOps.DeletePerson => new(HttpMethod.Put, "/ISAPI/AccessControl/UserInfoDetail/Delete?format=json", Json(w =>
            {
                w.WriteStartObject("UserInfoDetail");
                w.WriteString("mode", "byEmployeeNo");
                w.WriteStartArray("EmployeeNoList");
                w.WriteStartObject();
                w.WriteString("employeeNo", args["person"]);
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            }), "application/json"),
            _ => throw new ArgumentException($"unknown op {command.Op}", nameof(command)),
        };
    }

    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
