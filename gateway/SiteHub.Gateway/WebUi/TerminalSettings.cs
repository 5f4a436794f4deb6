using System.Globalization;
using SiteHub.Protocols.HikIsapi;
using SiteHub.Protocols.ZkAdms;

namespace SiteHub.Gateway.WebUi;

/// <summary>One setting to type into a terminal's own menu: a UI text key and the value.</summary>
public sealed record TerminalSetting(string Label, string Value);

/// <summary>
/// What the site admin types into a terminal's own menu so it reaches this gateway (pure): the
/// HTTP listening host for Hikvision, the server address for ZKTeco (the device adds
/// <c>/iclock/…</c> itself), the broker for MQTT terminals.
/// </summary>
public static class TerminalSettings
{
    public static IReadOnlyList<TerminalSetting> For(string protocol, string sn, string host, int httpPort, int brokerPort) => protocol switch
    {
        HikIsapiCodec.ProtocolId =>
        [
            new("SettingHikMenu", "Network → Advanced → HTTP Listening"),
            new("SettingHost", host),
            new("SettingPort", httpPort.ToString(CultureInfo.InvariantCulture)),
            new("SettingUrl", "/isapi/events/" + sn),
            new("SettingProtocol", "HTTP"),
        ],
        ZkAttlog.ProtocolId =>
        [
            new("SettingZkMenu", "COMM → Cloud Server Setting (ADMS)"),
            new("SettingServerAddress", host),
            new("SettingPort", httpPort.ToString(CultureInfo.InvariantCulture)),
            new("SettingZkPath", "/iclock/cdata, /iclock/getrequest"),
        ],
        _ =>
        [
            new("SettingBrokerHost", host),
            new("SettingPort", brokerPort.ToString(CultureInfo.InvariantCulture)),
            new("SettingUsername", sn),
            new("SettingPassword", "SettingPasswordIsSecret"),
            new("SettingTopic", $"devices/{sn}/…"),
        ],
    };
}
