using SiteHub.Protocols.Punches;

namespace SiteHub.Protocols;

/// <summary>What a device topic carries.</summary>
public enum DeviceTopicKind
{
    Punches,
    Status,
    Command,
    CommandReply,
    Events,
}

/// <summary>The device side of the site broker: everything under <c>devices/{sn}/</c>.</summary>
public static class DeviceTopics
{
    public static string Punches(string sn) => $"devices/{sn}/punches";

    public static string Status(string sn) => $"devices/{sn}/status";

    public static string Command(string sn) => $"devices/{sn}/cmd";

    public static string CommandReply(string sn) => $"devices/{sn}/cmd/reply";

    /// <summary>Device events (turnstile passages, vendor events relayed over MQTT).</summary>
    public static string Events(string sn) => $"devices/{sn}/events";

    /// <summary>The filter a device may use: its own subtree.</summary>
    public static string OwnSubtree(string sn) => $"devices/{sn}/#";

    /// <summary>Reads <c>devices/{sn}/{kind}</c>; false for anything else.</summary>
    public static bool TryParse(string topic, out string sn, out DeviceTopicKind kind)
    {
        sn = "";
        kind = default;
        var parts = topic.Split('/');
        if (parts.Length < 3 || parts[0] != "devices" || !TopicSafeId.IsValid(parts[1]))
        {
            return false;
        }

        sn = parts[1];
        switch (parts.Length, parts[2])
        {
            case (3, "punches"): kind = DeviceTopicKind.Punches; return true;
            case (3, "status"): kind = DeviceTopicKind.Status; return true;
            case (3, "cmd"): kind = DeviceTopicKind.Command; return true;
            case (3, "events"): kind = DeviceTopicKind.Events; return true;
            case (4, "cmd") when parts[3] == "reply": kind = DeviceTopicKind.CommandReply; return true;
            default: return false;
        }
    }

    /// <summary>True when <paramref name="topic"/> (or a subscription filter) lies inside the device's own subtree.</summary>
    public static bool IsOwnedBy(string topic, string sn) =>
        topic.StartsWith("devices/" + sn + "/", StringComparison.Ordinal) && topic.Length > sn.Length + 9;
}

/// <summary>What an uplink topic carries.</summary>
public enum UplinkTopicKind
{
    Punches,
    Acks,
    Status,
    Devices,
    Roster,
}

/// <summary>The gateway ↔ hub topics: everything under <c>sitehub/v1/sites/{siteId}/</c>.</summary>
public static class UplinkTopics
{
    public const string Root = "sitehub/v1/sites/";

    public static string Punches(string siteId) => Root + siteId + "/punches";

    public static string Acks(string siteId) => Root + siteId + "/acks";

    public static string Status(string siteId) => Root + siteId + "/status";

    public static string Devices(string siteId) => Root + siteId + "/devices";

    public static string Roster(string siteId) => Root + siteId + "/roster";

    /// <summary>Everything of one site, for a gateway's ACL.</summary>
    public static string SiteSubtree(string siteId) => Root + siteId + "/#";

    /// <summary>Reads <c>sitehub/v1/sites/{siteId}/{kind}</c>; false for anything else.</summary>
    public static bool TryParse(string topic, out string siteId, out UplinkTopicKind kind)
    {
        siteId = "";
        kind = default;
        if (!topic.StartsWith(Root, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = topic.AsSpan(Root.Length);
        var slash = rest.IndexOf('/');
        if (slash <= 0)
        {
            return false;
        }

        var site = rest[..slash].ToString();
        if (!TopicSafeId.IsValid(site))
        {
            return false;
        }

        siteId = site;
        switch (rest[(slash + 1)..])
        {
            case "punches": kind = UplinkTopicKind.Punches; return true;
            case "acks": kind = UplinkTopicKind.Acks; return true;
            case "status": kind = UplinkTopicKind.Status; return true;
            case "devices": kind = UplinkTopicKind.Devices; return true;
            case "roster": kind = UplinkTopicKind.Roster; return true;
            default: return false;
        }
    }

    /// <summary>True when <paramref name="topic"/> (or a filter) lies inside the site's own subtree.</summary>
    public static bool IsOwnedBy(string topic, string siteId) =>
        topic.StartsWith(Root + siteId + "/", StringComparison.Ordinal) && topic.Length > Root.Length + siteId.Length + 1;
}
