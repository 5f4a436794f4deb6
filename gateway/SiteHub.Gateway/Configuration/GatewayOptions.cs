using System.ComponentModel.DataAnnotations;

namespace SiteHub.Gateway.Configuration;

/// <summary>The <c>Gateway</c> section: which site this gateway serves and where it keeps its data.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>The site id; also the gateway's user name at the hub's broker. Required: 1–64 of letters, digits, '-', '_', '.'.</summary>
    [Required(ErrorMessage = "Gateway:SiteId is required (the site this gateway serves)")]
    [RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "Gateway:SiteId must be 1-64 letters, digits, '-', '_' or '.'")]
    public string SiteId { get; set; } = "";

    /// <summary>Folder of the gateway's LiteDB files (outbox, registry). Default <c>data/gateway</c>.</summary>
    [Required(ErrorMessage = "Gateway:DataPath is required (folder for the LiteDB files)")]
    public string DataPath { get; set; } = "data/gateway";
}

/// <summary>The <c>SiteBroker</c> section: where devices publish.</summary>
public sealed class SiteBrokerOptions
{
    public const string Section = "SiteBroker";

    /// <summary>
    /// With no <see cref="Host"/>: the port of the embedded broker (0 = no embedded broker). With a
    /// <see cref="Host"/>: the port of the external site broker. Default 1883.
    /// </summary>
    [Range(0, 65535, ErrorMessage = "SiteBroker:Port must be 0-65535")]
    public int Port { get; set; } = 1883;

    /// <summary>Address the embedded broker listens on. Default <c>127.0.0.1</c>; set <c>0.0.0.0</c> for devices on the site LAN.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>An existing site broker (e.g. mosquitto) to connect to as a client instead of embedding one. Default none.</summary>
    public string? Host { get; set; }

    /// <summary>User name at the external site broker.</summary>
    public string? Username { get; set; }

    /// <summary>Password at the external site broker.</summary>
    public string? Password { get; set; }

    /// <summary>Largest device payload accepted (bytes); larger ones are quarantined, truncated. Default 262144.</summary>
    [Range(1024, 16 * 1024 * 1024, ErrorMessage = "SiteBroker:MaxPayloadBytes must be 1024-16777216")]
    public int MaxPayloadBytes { get; set; } = 256 * 1024;

    /// <summary>Failed logins of one serial within a minute before it is refused for a minute. Default 5.</summary>
    [Range(1, 1000, ErrorMessage = "SiteBroker:MaxFailedLogins must be 1-1000")]
    public int MaxFailedLogins { get; set; } = 5;

    /// <summary>True when the gateway uses an external broker.</summary>
    public bool IsExternal => !string.IsNullOrWhiteSpace(Host);
}

/// <summary>The <c>Uplink</c> section: the MQTT link to the hub's central broker.</summary>
public sealed class UplinkOptions
{
    public const string Section = "Uplink";

    /// <summary>The central broker's host. Required.</summary>
    [Required(ErrorMessage = "Uplink:Host is required (the hub's broker)")]
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The central broker's port. Default 1884.</summary>
    [Range(1, 65535, ErrorMessage = "Uplink:Port must be 1-65535")]
    public int Port { get; set; } = 1884;

    /// <summary>User name at the central broker. Default: the site id.</summary>
    public string? Username { get; set; }

    /// <summary>Password at the central broker (the hub's <c>Gateways:{siteId}:Password</c>). Required.</summary>
    [Required(ErrorMessage = "Uplink:Password is required (this gateway's password at the hub)")]
    public string Password { get; set; } = "";

    /// <summary>Most punches per batch sent to the hub. Default 500.</summary>
    [Range(1, 10_000, ErrorMessage = "Uplink:BatchSize must be 1-10000")]
    public int BatchSize { get; set; } = 500;

    /// <summary>Batches sent and not yet acked at once. Default 8.</summary>
    [Range(1, 256, ErrorMessage = "Uplink:MaxInFlightBatches must be 1-256")]
    public int MaxInFlightBatches { get; set; } = 8;

    /// <summary>
    /// Of those, most backlog batches at once. Default 1. The hub commits what is in flight in
    /// order, so every backlog batch in flight is a batch a live punch waits behind. Measured in a
    /// drain of 100,000 with live punches at 1,000/s (BENCHMARKS.md): 8 drained in 7.6 s with live
    /// p99 over a second, 3 in 9.8 s with p99 0.4 s, 1 in 13.1 s with p99 0.2 s.
    /// </summary>
    [Range(1, 256, ErrorMessage = "Uplink:MaxInFlightBacklogBatches must be 1-256")]
    public int MaxInFlightBacklogBatches { get; set; } = 1;

    /// <summary>How long to wait for a batch's ack before sending it again. Default 10 s.</summary>
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the gateway publishes its status to the hub. Default 5 s.</summary>
    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Connect to the hub's broker over TLS. Default false (set it in production).</summary>
    public bool UseTls { get; set; }

    /// <summary>PEM file of the CA the hub broker's certificate must chain to. Default none: the system's trusted roots.</summary>
    public string? CaCertificatePath { get; set; }
}

/// <summary>The <c>Admin</c> section.</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>Password of the <c>admin</c> account (REST API, HTTP Basic). Required, at least 8 characters.</summary>
    [Required(ErrorMessage = "Admin:Password is required")]
    [MinLength(8, ErrorMessage = "Admin:Password must be at least 8 characters")]
    public string Password { get; set; } = "";
}
