namespace SiteHub.Hub.Influx;

/// <summary>The InfluxDB sink (off without <c>Influx:Url</c>).</summary>
public static class InfluxFeature
{
    public static IHostApplicationBuilder AddInfluxSink(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<InfluxSink>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<InfluxSink>());
        return builder;
    }
}
