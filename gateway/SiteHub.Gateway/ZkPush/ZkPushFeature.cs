using SiteHub.Gateway.Commands;
using SiteHub.Gateway.DevicePush;
using Microsoft.Extensions.Options;

namespace SiteHub.Gateway.ZkPush;

/// <summary>HTTP device push (shared gate and options), the ZKTeco ADMS endpoints, and the command queue they deliver from.</summary>
public static class ZkPushFeature
{
    public static IHostApplicationBuilder AddDevicePush(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DevicePushOptions>().BindConfiguration(DevicePushOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DevicePushOptions>, DevicePushOptionsValidator>();
        builder.Services.AddSingleton<DevicePushGate>();
        builder.Services.AddSingleton<ZkStampStore>();
        return builder;
    }
}
