using SiteHub.Protocols.Devices;

namespace SiteHub.Gateway.DeviceEvents;

/// <summary>Device events (not attendance) and their REST list.</summary>
public static class DeviceEventsFeature
{
    public static IHostApplicationBuilder AddDeviceEvents(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DeviceEventStore>();
        return builder;
    }

    public static IEndpointRouteBuilder MapDeviceEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/device-events", (DeviceEventStore store, string? sn, string? type, string? limit) =>
        {
            if (!ApiInput.TryLimit(limit, 100, 1000, out var count, out var invalid))
            {
                return invalid!;
            }

            DeviceEventType? wanted = null;
            if (type is not null)
            {
                var match = Enum.GetValues<DeviceEventType>().Where(t => WireName(t) == type).ToList();
                if (match.Count == 0)
                {
                    return Results.ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal)
                    {
                        ["type"] = [$"must be one of {string.Join(", ", Enum.GetValues<DeviceEventType>().Select(WireName))}"],
                    });
                }

                wanted = match[0];
            }

            return Results.Ok(store.Recent(count, sn, wanted).Select(e => new
            {
                e.Id,
                e.Sn,
                Type = WireName(e.Type),
                e.Code,
                e.Description,
                e.Time,
                e.Person,
                e.Seq,
                e.ReceivedAt,
                e.PicturePath,
            }));
        });
        app.MapGet("/api/devices/clock-skew", (DeviceEventStore store) => store.Skews());
        return app;
    }

    /// <summary>The wire name of an event type (<c>verification-failed</c>, <c>tailgating</c>…).</summary>
    public static string WireName(DeviceEventType type) => type switch
    {
        DeviceEventType.VerificationFailed => "verification-failed",
        DeviceEventType.Access => "access",
        DeviceEventType.Tailgating => "tailgating",
        _ => "other",
    };
}
