using SiteHub.Hub.Configuration;
using SiteHub.Hub.Gateways;
using SiteHub.Hub.Ingest;

namespace SiteHub.Hub.CentralBroker;

/// <summary>Where gateways send punches: the embedded broker, or a client of an external one.</summary>
public static class CentralBrokerFeature
{
    public static IHostApplicationBuilder AddCentralBroker(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<GatewayDirectory>();
        builder.Services.AddSingleton<UplinkIngest>();
        var settings = builder.Configuration.GetSection(CentralBrokerOptions.Section).Get<CentralBrokerOptions>() ?? new CentralBrokerOptions();
        if (settings.IsExternal)
        {
            builder.Services.AddHostedService<ExternalCentralBrokerClient>();
        }
        else if (settings.Port != 0 || settings.TlsPort != 0)
        {
            builder.Services.AddSingleton<EmbeddedCentralBroker>();
            builder.Services.AddHostedService(provider => provider.GetRequiredService<EmbeddedCentralBroker>());
        }

        return builder;
    }
}
