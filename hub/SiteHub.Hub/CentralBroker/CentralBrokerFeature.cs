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
            builder.Services.AddSingleton<ExternalCentralBrokerClient>();
            builder.Services.AddSingleton<ICentralBrokerPublisher>(provider => provider.GetRequiredService<ExternalCentralBrokerClient>());
            builder.Services.AddHostedService(provider => provider.GetRequiredService<ExternalCentralBrokerClient>());
        }
        else if (settings.Port != 0 || settings.TlsPort != 0)
        {
            builder.Services.AddSingleton<EmbeddedCentralBroker>();
            builder.Services.AddSingleton<ICentralBrokerPublisher>(provider => provider.GetRequiredService<EmbeddedCentralBroker>());
            builder.Services.AddHostedService(provider => provider.GetRequiredService<EmbeddedCentralBroker>());
        }

        else
        {
            builder.Services.AddSingleton<ICentralBrokerPublisher, NoCentralBroker>();
        }

        return builder;
    }

    /// <summary>A hub configured without a central broker has no gateways to publish to.</summary>
    private sealed class NoCentralBroker : ICentralBrokerPublisher
    {
        public Task PublishAsync(MQTTnet.MqttApplicationMessage message, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("no central broker is configured (CentralBroker:Port and CentralBroker:TlsPort are 0)");
    }
}
