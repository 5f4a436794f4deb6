using System.Net;
using Microsoft.Extensions.Options;
using SiteHub.Gateway.Devices;
using SiteHub.Gateway.Ingest;
using SiteHub.Protocols.Punches;

namespace SiteHub.Gateway.DevicePush;

/// <summary>Reports every bad <c>DevicePush</c> setting at start-up, each naming its setting.</summary>
public sealed class DevicePushOptionsValidator : IValidateOptions<DevicePushOptions>
{
    public ValidateOptionsResult Validate(string? name, DevicePushOptions options)
    {
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

/// <summary>What the gate decided about one push request.</summary>
/// <param name="Device">The registered device, when the request may go on.</param>
/// <param name="Refusal">The HTTP reply to send instead, when it may not.</param>
public sealed record PushAdmission(DeviceRecord? Device, IResult? Refusal);

/// <summary>
/// The checks every device push passes before it is read: an allowed source network, a
/// registered serial of the endpoint's protocol, a body within the size limit. Unknown serials are
/// listed as pending for the site admin, like unknown MQTT logins.
/// </summary>
public sealed partial class DevicePushGate(
    IOptions<DevicePushOptions> options,
    DeviceRegistry registry,
    DeviceIngest ingest,
    ILogger<DevicePushGate> logger)
{
    private readonly IReadOnlyList<IPNetwork> _networks = options.Value.Networks;
    private readonly int _maxBody = options.Value.MaxBodyBytes;

    /// <summary>An endpoint filter refusing requests from outside <c>DevicePush:AllowedNetworks</c> with 403.</summary>
    public ValueTask<object?> FilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var remote = context.HttpContext.Connection.RemoteIpAddress;
        if (!IsAllowed(remote))
        {
            LogRefusedNetwork(remote?.ToString() ?? "(unknown)", context.HttpContext.Request.Path);
            return ValueTask.FromResult<object?>(Results.Text("source address is not in DevicePush:AllowedNetworks\n", statusCode: StatusCodes.Status403Forbidden));
        }

        return next(context);
    }

    public bool IsAllowed(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Finds the registered device <paramref name="sn"/> of <paramref name="protocol"/>, or the refusal to send.</summary>
    public PushAdmission Admit(HttpContext http, string? sn, string protocol)
    {
        if (!TopicSafeId.IsValid(sn))
        {
            return new(null, Results.Text("SN is required: 1-64 letters, digits, '-', '_' or '.'\n", statusCode: StatusCodes.Status400BadRequest));
        }

        var device = registry.Find(sn!);
        if (device is null)
        {
            var remote = http.Connection.RemoteIpAddress?.ToString();
            registry.RecordPending(sn!, remote);
            LogUnknownDevice(sn!, remote, protocol);
            return new(null, Results.Text($"device {sn} is not registered at this gateway; it is listed as pending for the site admin\n", statusCode: StatusCodes.Status401Unauthorized));
        }

        if (device.Protocol != protocol)
        {
            LogWrongProtocol(sn!, device.Protocol, protocol);
            return new(null, Results.Text($"device {sn} is registered with protocol {device.Protocol}, not {protocol}\n", statusCode: StatusCodes.Status403Forbidden));
        }

        return new(device, null);
    }

    /// <summary>
    /// Reads the body up to <c>DevicePush:MaxBodyBytes</c>. A larger body is quarantined (its first
    /// part, with the reason) and answered 413; the caller replies with <see cref="PushBody.Refusal"/>.
    /// </summary>
    public async Task<PushBody> ReadBodyAsync(HttpContext http, DeviceRecord device, CancellationToken cancellationToken)
    {
        var request = http.Request;
        var source = "http:" + request.Path + request.QueryString;
        var buffer = new MemoryStream(capacity: (int)Math.Min(request.ContentLength ?? 4096, _maxBody + 1L));
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > _maxBody)
            {
                await ingest.QuarantineAsync(device.Sn, source, device.Protocol, buffer.ToArray(),
                    $"request body over DevicePush:MaxBodyBytes ({_maxBody} bytes); kept truncated", cancellationToken);
                return new PushBody(null, Results.Text($"body exceeds {_maxBody} bytes\n", statusCode: StatusCodes.Status413PayloadTooLarge));
            }

            buffer.Write(chunk, 0, read);
        }

        return new PushBody(buffer.ToArray(), null);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a device push from {Remote} to {Path}: not in DevicePush:AllowedNetworks")]
    private partial void LogRefusedNetwork(string remote, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a {Protocol} push from unknown device {DeviceSn} at {Remote}; listed as pending")]
    private partial void LogUnknownDevice(string deviceSn, string? remote, string protocol);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a {Protocol} push from {DeviceSn}: it is registered as {Registered}")]
    private partial void LogWrongProtocol(string deviceSn, string registered, string protocol);
}

/// <summary>A request body, or the refusal to send when it was too large.</summary>
public sealed record PushBody(byte[]? Bytes, IResult? Refusal);
