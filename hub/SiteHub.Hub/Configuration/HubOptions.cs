using System.ComponentModel.DataAnnotations;

namespace SiteHub.Hub.Configuration;

/// <summary>The <c>Hub</c> section.</summary>
public sealed class HubOptions
{
    public const string Section = "Hub";

    /// <summary>Folder of the hub's LiteDB files. Default <c>data/hub</c>.</summary>
    [Required(ErrorMessage = "Hub:DataPath is required (folder for the LiteDB files)")]
    public string DataPath { get; set; } = "data/hub";

    /// <summary>IANA time zone that decides which day a punch belongs to, until projects set their own. Default <c>Asia/Shanghai</c>.</summary>
    public string TimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>A person whose last punch is older than this is no longer counted on site. Default 16 h.</summary>
    public TimeSpan OnSiteWindow { get; set; } = TimeSpan.FromHours(16);
}

/// <summary>The <c>CentralBroker</c> section: where gateways send punches.</summary>
public sealed class CentralBrokerOptions
{
    public const string Section = "CentralBroker";

    /// <summary>Without <see cref="Host"/>: the embedded broker's port (0 = none). With <see cref="Host"/>: the external broker's port. Default 1884.</summary>
    [Range(0, 65535, ErrorMessage = "CentralBroker:Port must be 0-65535")]
    public int Port { get; set; } = 1884;

    /// <summary>Address the embedded broker listens on. Default <c>127.0.0.1</c>; <c>0.0.0.0</c> for remote gateways.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>An external central broker (mosquitto, EMQX) to use as a client instead. Default none.</summary>
    public string? Host { get; set; }

    /// <summary>The hub's user name at the external broker.</summary>
    public string? Username { get; set; }

    /// <summary>The hub's password at the external broker.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// Embedded broker: the port of its TLS listener (0 = none), which uses <see cref="TlsCertificatePath"/>.
    /// External broker: when not 0, connect over TLS. Default 0.
    /// </summary>
    [Range(0, 65535, ErrorMessage = "CentralBroker:TlsPort must be 0-65535")]
    public int TlsPort { get; set; }

    /// <summary>Embedded broker: PEM certificate of its TLS listener (with the key in <see cref="TlsKeyPath"/>).</summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>Embedded broker: PEM private key of the TLS certificate.</summary>
    public string? TlsKeyPath { get; set; }

    /// <summary>External broker over TLS: PEM file of the CA its certificate must chain to. Default none: the system's roots.</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>With an external broker: the sites this hub serves (empty: every site on the broker).</summary>
    public List<string> Sites { get; set; } = [];

    public bool IsExternal => !string.IsNullOrWhiteSpace(Host);
}

/// <summary>The <c>Influx</c> section. With no URL the hub runs without InfluxDB.</summary>
public sealed class InfluxOptions
{
    public const string Section = "Influx";

    /// <summary>InfluxDB 2.x URL (or any server speaking <c>/api/v2/write</c>). Default none: the sink is off.</summary>
    public string? Url { get; set; }

    /// <summary>API token.</summary>
    public string? Token { get; set; }

    /// <summary>Organisation. Default <c>sitehub</c>.</summary>
    public string Org { get; set; } = "sitehub";

    /// <summary>Bucket. Default <c>sitehub</c>.</summary>
    public string Bucket { get; set; } = "sitehub";

    /// <summary>Most points per write. Default 5000.</summary>
    [Range(1, 100_000, ErrorMessage = "Influx:BatchSize must be 1-100000")]
    public int BatchSize { get; set; } = 5000;

    /// <summary>How long to wait after a failed write before trying again (doubles up to 30 s). Default 1 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public bool Enabled => !string.IsNullOrWhiteSpace(Url);
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

/// <summary>One gateway's credentials, under <c>Gateways:{siteId}</c>.</summary>
public sealed class GatewayCredential
{
    /// <summary>The gateway's password at the central broker (its user name is the site id).</summary>
    public string Password { get; set; } = "";
}

/// <summary>The <c>Gateways</c> section: site id → credentials.</summary>
public sealed class GatewaysOptions
{
    public const string Section = "Gateways";

    public Dictionary<string, GatewayCredential> Sites { get; } = new(StringComparer.Ordinal);
}
