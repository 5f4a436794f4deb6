namespace SiteHub.Gateway.Configuration;

/// <summary>Binds and validates every options section at start-up: a bad setting stops the gateway with its name.</summary>
public static class ConfigurationFeature
{
    public static IHostApplicationBuilder AddGatewayConfiguration(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<SiteBrokerOptions>().BindConfiguration(SiteBrokerOptions.Section).ValidateDataAnnotations()
            .Validate(o => System.Net.IPAddress.TryParse(o.BindAddress, out _), "SiteBroker:BindAddress must be an IP address")
            .ValidateOnStart();
        builder.Services.AddOptions<UplinkOptions>().BindConfiguration(UplinkOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.AckTimeout > TimeSpan.Zero, "Uplink:AckTimeout must be positive")
            .Validate(o => o.StatusInterval > TimeSpan.Zero, "Uplink:StatusInterval must be positive")
            .Validate(o => string.IsNullOrEmpty(o.CaCertificatePath) || File.Exists(o.CaCertificatePath), "Uplink:CaCertificatePath must name an existing PEM file")
            .ValidateOnStart();
        builder.Services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }
}
