using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;
using SiteHub.Gateway.Devices;
using SiteHub.Gateway.SiteBroker;
using SiteHub.Protocols;
using SiteHub.Protocols.Devices;
using SiteHub.Protocols.HikIsapi;
using SiteHub.Protocols.SiteHubV1;
using SiteHub.Protocols.Turnstile;

namespace SiteHub.Gateway.Commands;

/// <summary>
/// Delivers queued commands to the devices that do not come and fetch them (ZKTeco terminals
/// fetch theirs on <c>getrequest</c>): MQTT devices get <c>devices/{sn}/cmd</c> through the
/// embedded broker while they are connected; Hikvision devices get an ISAPI request at their
/// registered <c>deviceUrl</c>. Runs every <c>Commands:DispatchInterval</c> and when a command is
/// queued. On failure: an unreachable device's command goes back to queued without counting the
/// attempt; any other error is logged and the loop goes on at the next tick.
/// </summary>
public sealed partial class CommandDispatcher(
    CommandQueue queue,
    DeviceRegistry registry,
    IServiceProvider services,
    IOptions<CommandOptions> options,
    TimeProvider clock,
    ILogger<CommandDispatcher> logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0);
    private HttpClient? _isapi;

    /// <summary>
    /// Made for the first ISAPI command, not at start: many sites have no Hikvision terminal, and
    /// the HTTP client stack is ~1.5 MiB resident in a gateway that must stay within 120 MB.
    /// </summary>
    private HttpClient Isapi => _isapi ??= new HttpClient(
        new SocketsHttpHandler
        {
            Credentials = options.Value.IsapiUserName is null ? null : new NetworkCredential(options.Value.IsapiUserName, options.Value.IsapiPassword),
            PreAuthenticate = false,
        },
        disposeHandler: true) { Timeout = options.Value.IsapiTimeout };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        queue.Enqueued += OnEnqueued;
        registry.Changed += OnDeviceChanged;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await DispatchAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogDispatchFailed(ex);
                }

                await _wake.WaitAsync(settings.DispatchInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            queue.Enqueued -= OnEnqueued;
            registry.Changed -= OnDeviceChanged;
        }
    }

    private void OnEnqueued(DeviceCommandRecord command) => Wake();

    private void OnDeviceChanged(DeviceRecord device)
    {
        if (device.Online)
        {
            Wake();
        }
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    private async Task DispatchAsync(CancellationToken cancellationToken)
    {
        foreach (var sn in queue.DevicesWithOpenCommands())
        {
            var device = registry.Find(sn);
            if (device is null)
            {
                continue;
            }

            switch (device.Protocol)
            {
                case SiteHubV1Codec.ProtocolId or TurnstileV1Codec.ProtocolId when device.Online:
                    await SendMqttAsync(device, cancellationToken);
                    break;
                case HikIsapiCodec.ProtocolId when device.DeviceUrl is null:
                    foreach (var command in queue.Open(sn).Where(c => c.State == CommandState.Queued))
                    {
                        queue.NoteUndelivered(command.Id, "not delivered: Hikvision commands go to the device's ISAPI and this device has no deviceUrl registered");
                    }

                    break;
                case HikIsapiCodec.ProtocolId:
                    await SendIsapiAsync(device, cancellationToken);
                    break;
            }
        }
    }

    private async Task SendMqttAsync(DeviceRecord device, CancellationToken cancellationToken)
    {
        if (services.GetService<EmbeddedSiteBroker>()?.Server is not { } server)
        {
            // With an external site broker the gateway would publish as its client; not wired yet.
            return;
        }

        foreach (var command in queue.TakeDeliverable(device.Sn))
        {
            var payload = JsonSerializer.SerializeToUtf8Bytes(
                new DeviceCommand(command.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), command.Op, command.Args),
                ProtocolsJsonContext.Default.DeviceCommand);
            var message = new MqttApplicationMessageBuilder().WithTopic(DeviceTopics.Command(device.Sn)).WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
            await server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message), cancellationToken);
            LogSent(command.Id, command.Op, device.Sn, "mqtt");
        }
    }

    // Not inlined into DispatchAsync: its state machine names the HTTP types, which would load them at start (see Isapi).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private async Task SendIsapiAsync(DeviceRecord device, CancellationToken cancellationToken)
    {
        foreach (var command in queue.TakeDeliverable(device.Sn))
        {
            var request = IsapiRequests.From(command, clock.GetUtcNow().ToOffset(TimeSpan.FromMinutes(device.UtcOffsetMinutes ?? 480)));
            using var message = new HttpRequestMessage(request.Method, new Uri(new Uri(device.DeviceUrl!), request.Path));
            if (request.Body is not null)
            {
                message.Content = new StringContent(request.Body, Encoding.UTF8, request.ContentType);
            }

            HttpResponseMessage response;
            try
            {
                response = await Isapi.SendAsync(message, cancellationToken);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                queue.Requeue(command.Id, "device unreachable: " + ex.Message);
                return; // the rest waits too: the device is down
            }

            using (response)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                var ok = response.IsSuccessStatusCode && !body.Contains("\"statusCode\":4", StringComparison.Ordinal);
                queue.Complete(device.Sn, command.Id, ok, ok ? null : $"ISAPI {(int)response.StatusCode}: {body[..Math.Min(body.Length, 300)]}");
                LogSent(command.Id, command.Op, device.Sn, "isapi");
            }
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        _isapi?.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sent command {CommandId} {Op} to {DeviceSn} over {Transport}")]
    private partial void LogSent(long commandId, string op, string deviceSn, string transport);

    [LoggerMessage(Level = LogLevel.Error, Message = "Command dispatch failed; trying again at the next tick")]
    private partial void LogDispatchFailed(Exception ex);
}
