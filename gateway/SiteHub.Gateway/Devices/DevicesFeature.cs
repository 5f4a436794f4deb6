using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SiteHub.Gateway.Configuration;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.SiteHubV1;

namespace SiteHub.Gateway.Devices;

/// <summary>Body of <c>POST /api/devices</c>.</summary>
/// <param name="Sn">Serial (letters, digits, '-', '_', '.').</param>
/// <param name="Secret">The device's secret; omitted: one is generated and returned once.</param>
/// <param name="Protocol">Wire protocol id; default <c>sitehub-v1</c>.</param>
/// <param name="Gate">The gate the device guards.</param>
/// <param name="Direction">The gate's direction: in, out or unknown.</param>
/// <param name="TimeZone">The device clock's UTC offset (<c>+08:00</c>) for protocols whose times carry none (zk-adms); default <c>DevicePush:DefaultUtcOffset</c>.</param>
/// <param name="DeviceUrl">The device's own HTTP base URL (hik-isapi), where the gateway sends commands.</param>
public sealed record DeviceRegistration(string? Sn, string? Secret, string? Protocol, string? Gate, string? Direction, string? TimeZone = null, string? DeviceUrl = null);

/// <summary>A device as the API shows it: never the secret or its hash.</summary>
public sealed record DeviceView(
    string Sn, string Protocol, string? Gate, string Direction, bool Online, DateTimeOffset? LastSeen,
    string? Firmware, DateTimeOffset? DeviceClock, int? Cached, int? Capacity, int? Enrolled, string? Secret = null,
    string? TimeZone = null, string? DeviceUrl = null)
{
    public static DeviceView From(DeviceRecord d, string? secret = null) => new(
        d.Sn, d.Protocol, d.Gate, DirectionName(d.Direction), d.Online, d.LastSeen, d.Firmware, d.DeviceClock, d.Cached, d.Capacity, d.Enrolled, secret,
        d.UtcOffsetMinutes is { } m ? TimeSpan.FromMinutes(m).ToString(m < 0 ? "'-'hh':'mm" : "'+'hh':'mm", System.Globalization.CultureInfo.InvariantCulture) : null,
        d.DeviceUrl);

    private static string DirectionName(Direction direction) => direction switch
    {
        SiteHub.Protocols.Punches.Direction.In => "in",
        SiteHub.Protocols.Punches.Direction.Out => "out",
        _ => "unknown",
    };
}

/// <summary>The device registry and its REST API.</summary>
public static class DevicesFeature
{
    /// <summary>Protocols a device may be registered with.</summary>
    public static readonly IReadOnlySet<string> KnownProtocols = new HashSet<string>(StringComparer.Ordinal)
    {
        SiteHubV1Codec.ProtocolId,
        SiteHub.Protocols.ZkAdms.ZkAttlog.ProtocolId,
        SiteHub.Protocols.HikIsapi.HikIsapiCodec.ProtocolId,
        SiteHub.Protocols.Turnstile.TurnstileV1Codec.ProtocolId,
    };

    public static IHostApplicationBuilder AddDevices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(provider => new DeviceRegistry(
            provider.GetRequiredService<IOptions<GatewayOptions>>().Value.DataPath,
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IOptions<SiteBrokerOptions>>().Value.MaxFailedLogins,
            provider.GetRequiredService<ILogger<DeviceRegistry>>()));
        return builder;
    }

    public static IEndpointRouteBuilder MapDevicesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/devices");
        api.MapGet("/", (DeviceRegistry registry) => registry.All.Select(d => DeviceView.From(d)));
        api.MapGet("/pending", (DeviceRegistry registry) => registry.Pending);
        api.MapGet("/{sn}", (string sn, DeviceRegistry registry) =>
            registry.Find(sn) is { } device ? Results.Ok(DeviceView.From(device)) : Results.NotFound());
        api.MapPost("/", async (HttpRequest request, DeviceRegistry registry, CancellationToken cancellationToken) =>
        {
            var (body, invalid) = await ApiInput.ReadJsonAsync<DeviceRegistration>(request, cancellationToken);
            if (body is null)
            {
                return invalid!;
            }

            var errors = Validate(body, out var direction, out var offsetMinutes);
            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors);
            }

            var generated = string.IsNullOrEmpty(body.Secret);
            var secret = generated ? DeviceRegistry.NewSecret() : body.Secret!;
            var device = registry.Register(body.Sn!, secret, body.Protocol ?? SiteHubV1Codec.ProtocolId, body.Gate, direction, offsetMinutes, body.DeviceUrl);
            return Results.Created($"/api/devices/{device.Sn}", DeviceView.From(device, generated ? secret : null));
        });
        return app;
    }

    /// <summary>What is wrong with a registration (field name to messages), shared by the API and the web UI.</summary>
    internal static Dictionary<string, string[]> Validate(DeviceRegistration body, out Direction direction, out int? offsetMinutes)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        direction = Direction.Unknown;
        offsetMinutes = null;
        if (body.TimeZone is not null)
        {
            if (UtcOffsets.TryParse(body.TimeZone, out var offset))
            {
                offsetMinutes = (int)offset.TotalMinutes;
            }
            else
            {
                errors["timeZone"] = ["must be a UTC offset like +08:00 (whole minutes, within ±14:00)"];
            }
        }

        if (body.DeviceUrl is not null && !(Uri.TryCreate(body.DeviceUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            errors["deviceUrl"] = ["must be an absolute http:// or https:// URL"];
        }

        if (!TopicSafeId.IsValid(body.Sn))
        {
            errors["sn"] = ["required: 1-64 letters, digits, '-', '_' or '.'"];
        }

        if (body.Secret is { Length: > 0 and < 8 })
        {
            errors["secret"] = ["must be at least 8 characters (or omit it to have one generated)"];
        }

        if (body.Protocol is not null && !KnownProtocols.Contains(body.Protocol))
        {
            errors["protocol"] = [$"unknown protocol; known: {string.Join(", ", KnownProtocols)}"];
        }

        if (body.Gate is { Length: > 64 })
        {
            errors["gate"] = ["at most 64 characters"];
        }

        switch (body.Direction)
        {
            case null or "unknown": break;
            case "in": direction = Direction.In; break;
            case "out": direction = Direction.Out; break;
            default: errors["direction"] = ["must be in, out or unknown"]; break;
        }

        return errors;
    }
}
