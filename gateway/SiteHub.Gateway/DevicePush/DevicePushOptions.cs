using System.Net;
using SiteHub.Gateway.Devices;

namespace SiteHub.Gateway.DevicePush;

/// <summary>The <c>DevicePush</c> section: devices that push over HTTP (ZKTeco ADMS, Hikvision ISAPI).</summary>
/// <remarks>
/// Real terminals cannot send an Authorization header to a push server, so these endpoints are
/// anonymous at the HTTP level. What stands in for a login: the request must come from an allowed
/// network and name a registered serial of the right protocol.
/// </remarks>
public sealed class DevicePushOptions
{
    public const string Section = "DevicePush";

    /// <summary>Private and loopback ranges: where site LAN devices live.</summary>
    public static readonly IReadOnlyList<string> DefaultNetworks =
        ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fe80::/10"];

    /// <summary>
    /// CIDR ranges devices may push from (<c>DevicePush:AllowedNetworks:0=10.1.0.0/16</c>, …).
    /// Default: loopback and the private ranges (10/8, 172.16/12, 192.168/16, fc00::/7, fe80::/10).
    /// </summary>
    public string[]? AllowedNetworks { get; set; }

    /// <summary>Largest request body accepted (bytes); larger ones are refused with 413 and quarantined, truncated. Default 4194304 (4 MiB).</summary>
    public int MaxBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest event picture kept (bytes); larger ones are not stored and the event says so. Default 524288 (512 KiB).</summary>
    public int MaxPictureBytes { get; set; } = 512 * 1024;

    /// <summary>UTC offset of devices registered without a time zone (<c>+08:00</c>). Default <c>+08:00</c> (China Standard Time).</summary>
    public string DefaultUtcOffset { get; set; } = "+08:00";

    /// <summary>How often ZKTeco terminals poll for commands (handshake <c>Delay</c>). Default 10 s.</summary>
    public TimeSpan ZkPollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The parsed <see cref="AllowedNetworks"/>, or the defaults.</summary>
    public IReadOnlyList<IPNetwork> Networks => (AllowedNetworks is { Length: > 0 } ? AllowedNetworks : DefaultNetworks).Select(n => IPNetwork.Parse(n.Trim())).ToList();

    /// <summary>The parsed <see cref="DefaultUtcOffset"/>.</summary>
    public TimeSpan DefaultOffset => UtcOffsets.TryParse(DefaultUtcOffset, out var offset) ? offset : TimeSpan.FromHours(8);

    /// <summary>Start-up validation; each message names its setting.</summary>
    public IEnumerable<string> Problems()
    {
        foreach (var network in AllowedNetworks ?? [])
        {
            if (!IPNetwork.TryParse(network?.Trim(), out _))
            {
                yield return $"DevicePush:AllowedNetworks: '{network}' is not a CIDR range like 192.168.0.0/16";
            }
        }

        if (MaxBodyBytes is < 1024 or > 64 * 1024 * 1024)
        {
            yield return "DevicePush:MaxBodyBytes must be 1024-67108864";
        }

        if (MaxPictureBytes is < 0 or > 16 * 1024 * 1024)
        {
            yield return "DevicePush:MaxPictureBytes must be 0-16777216";
        }

        if (!UtcOffsets.TryParse(DefaultUtcOffset, out _))
        {
            yield return "DevicePush:DefaultUtcOffset must be a UTC offset like +08:00";
        }

        if (ZkPollInterval < TimeSpan.FromSeconds(1) || ZkPollInterval > TimeSpan.FromHours(1))
        {
            yield return "DevicePush:ZkPollInterval must be between 00:00:01 and 01:00:00";
        }
    }
}
