using Microsoft.Extensions.Options;
using SiteHub.Gateway.Configuration;

namespace SiteHub.Gateway.SiteBroker;

/// <summary>Where devices publish: the embedded broker, or a client of an external one.</summary>
public static class SiteBrokerFeature
{
    public static IHostApplicationBuilder AddSiteBroker(this IHostApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(SiteBrokerOptions.Section).Get<SiteBrokerOptions>() ?? new SiteBrokerOptions();
        if (settings.IsExternal)
        {
            builder.Services.AddSingleton<ExternalSiteBrokerClient>();
            builder.Services.AddHostedService(provider => provider.GetRequiredService<ExternalSiteBrokerClient>());
        }
        else if (settings.Port != 0)
        {
            builder.Services.AddSingleton<EmbeddedSiteBroker>();
            builder.Services.AddHostedService(provider => provider.GetRequiredService<EmbeddedSiteBroker>());
        }

        return builder;
    }
}
