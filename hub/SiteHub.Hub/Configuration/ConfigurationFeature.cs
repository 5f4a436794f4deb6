using SiteHub.Protocols.Punches;

namespace SiteHub.Hub.Configuration;

/// <summary>Binds and validates every options section at start-up: a bad setting stops the hub with its name.</summary>
public static class ConfigurationFeature
{
    public static IHostApplicationBuilder AddHubConfiguration(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HubOptions>().BindConfiguration(HubOptions.Section).ValidateDataAnnotations()
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _), "Hub:TimeZone must be an IANA time zone id (e.g. Asia/Shanghai)")
            .Validate(o => o.OnSiteWindow > TimeSpan.Zero, "Hub:OnSiteWindow must be positive")
            .ValidateOnStart();
        builder.Services.AddOptions<CentralBrokerOptions>().BindConfiguration(CentralBrokerOptions.Section).ValidateDataAnnotations()
            .Validate(o => System.Net.IPAddress.TryParse(o.BindAddress, out _), "CentralBroker:BindAddress must be an IP address")
            .Validate(o => o.Sites.All(TopicSafeId.IsValid), "CentralBroker:Sites must be site ids (letters, digits, '-', '_', '.')")
            .Validate(o => o.IsExternal || o.TlsPort == 0 || (File.Exists(o.TlsCertificatePath) && File.Exists(o.TlsKeyPath)),
                "CentralBroker:TlsCertificatePath and CentralBroker:TlsKeyPath must name existing PEM files when CentralBroker:TlsPort is set")
            .Validate(o => string.IsNullOrEmpty(o.CaCertificatePath) || File.Exists(o.CaCertificatePath), "CentralBroker:CaCertificatePath must name an existing PEM file")
            .ValidateOnStart();
        builder.Services.AddOptions<InfluxOptions>().BindConfiguration(InfluxOptions.Section).ValidateDataAnnotations()
            .Validate(o => !o.Enabled || Uri.TryCreate(o.Url, UriKind.Absolute, out _), "Influx:Url must be an absolute URL")
            .Validate(o => !o.Enabled || !string.IsNullOrEmpty(o.Token), "Influx:Token is required when Influx:Url is set")
            .ValidateOnStart();
        builder.Services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<GatewaysOptions>()
            .Configure(o =>
            {
                foreach (var site in builder.Configuration.GetSection(GatewaysOptions.Section).GetChildren())
                {
                    o.Sites[site.Key] = new GatewayCredential { Password = site["Password"] ?? "" };
                }
            })
            .Validate(o => o.Sites.Keys.All(TopicSafeId.IsValid), "Gateways: every key must be a site id (letters, digits, '-', '_', '.')")
            .Validate(o => o.Sites.Values.All(c => c.Password.Length >= 8), "Gateways:{siteId}:Password must be at least 8 characters")
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }
}
