namespace SiteHub.Gateway.Uplink;

/// <summary>The link to the hub.</summary>
public static class UplinkFeature
{
    public static IHostApplicationBuilder AddUplink(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<UplinkService>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<UplinkService>());
        return builder;
    }

    public static IEndpointRouteBuilder MapUplinkApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/uplink", (UplinkService uplink) => uplink.State);
        return app;
    }
}
