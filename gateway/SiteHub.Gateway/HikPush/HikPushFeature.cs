using SiteHub.Gateway.Ingest;

namespace SiteHub.Gateway.HikPush;

/// <summary>Hikvision ISAPI events: HTTP push and MQTT relay, pictures as files.</summary>
public static class HikPushFeature
{
    public static IHostApplicationBuilder AddHikPush(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PictureStore>();
        builder.Services.AddSingleton<HikEventsHandler>();
        builder.Services.AddSingleton<IDeviceEventsHandler>(provider => provider.GetRequiredService<HikEventsHandler>());
        return builder;
    }
}
