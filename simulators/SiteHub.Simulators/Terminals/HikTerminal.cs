using SiteHub.Platform.Hosting;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SiteHub.Protocols.HikIsapi;
using SiteHub.Protocols.Punches;

namespace SiteHub.Simulators.Terminals;

/// <summary>
/// A simulated Hikvision face terminal. Events go out as its "HTTP listening" push does: each event
/// POSTed to the configured URL as <c>application/json</c>, or <c>multipart/form-data</c> with a
/// small JPEG when pictures are on, kept and resent until the server answers 200; heartbeats on a
/// timer. It also serves the ISAPI requests the gateway sends as commands (user set-up and delete,
/// remote door open, reboot, time) on its own HTTP port, like the device's web API.
/// </summary>
public sealed class HikTerminal : IAsyncDisposable
{
    private static readonly byte[] FaceJpeg = Convert.FromBase64String(
        "/9j/4AAQSkZJRgABAQAAAQABAAD//gA0U2l0ZUh1YiBzYW1wbGUgZmFjZQ0KLS1NSU1FX2JvdW5kYXIgbm90IGEgYm91bmRhcnn/2wBDAAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQH/wAALCAAIAAgBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAAAP/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AP//Z");

    private readonly HttpClient _http;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _utcOffset;
    private readonly ConcurrentQueue<(string? EventId, byte[] Body, string ContentType)> _outbox = new();
    private readonly ConcurrentDictionary<string, byte> _acked = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private WebApplication? _isapi;
    private Task? _loop;
    private long _serial;
    private int _sending;

    /// <param name="sn">The serial the device is registered with (the push URL names it).</param>
    /// <param name="gateway">The gateway's HTTP base address.</param>
    /// <param name="utcOffset">The time zone of the terminal's clock.</param>
    /// <param name="clock">The terminal's clock.</param>
    public HikTerminal(string sn, Uri gateway, TimeSpan? utcOffset = null, TimeProvider? clock = null)
    {
        Sn = sn;
        _clock = clock ?? TimeProvider.System;
        _utcOffset = utcOffset ?? TimeSpan.FromHours(8);
        _http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(10) };
    }

    public string Sn { get; }

    /// <summary>The push URL path typed into the terminal's HTTP listening settings.</summary>
    public string PushPath => "/isapi/events/" + Sn;

    /// <summary>Send a picture with each verification (multipart), as with "upload picture" on.</summary>
    public bool Pictures { get; set; } = true;

    /// <summary>When false the terminal neither pushes nor answers ISAPI requests (cable cut).</summary>
    public bool Online { get; set; } = true;

    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Heartbeat interval; null: no heartbeats.</summary>
    public TimeSpan? HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Added to the real clock: a terminal whose clock drifted.</summary>
    public TimeSpan ClockSkew { get; set; }

    /// <summary>The terminal's own ISAPI base URL (what the device is registered with as <c>deviceUrl</c>), after <see cref="StartAsync"/>.</summary>
    public Uri? IsapiUrl { get; private set; }

    /// <summary>People enrolled: employee no. → name.</summary>
    public ConcurrentDictionary<string, string> Enrolled { get; } = new(StringComparer.Ordinal);

    /// <summary>ISAPI requests served, as "METHOD path".</summary>
    public ConcurrentQueue<string> Executed { get; } = new();

    /// <summary>Punch event ids the gateway answered 200 for.</summary>
    public IReadOnlyCollection<string> Acked => _acked.Keys.ToList();

    public int Cached => _outbox.Count + Volatile.Read(ref _sending);

    private DateTimeOffset LocalNow => (_clock.GetUtcNow() + ClockSkew).ToOffset(_utcOffset);

    /// <summary>Starts the ISAPI server (on a free loopback port) and the push loop.</summary>
    public async Task StartAsync()
    {
        if (_loop is not null)
        {
            return;
        }

        var port = LoopbackPort.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        _isapi = builder.Build();
        MapIsapi(_isapi);
        await _isapi.StartAsync();
        IsapiUrl = new Uri($"http://127.0.0.1:{port}");
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>A passed face verification at door 1 (in) or 2 (out): a punch.</summary>
    public DevicePunch Punch(string person, Direction direction, DateTimeOffset? at = null)
    {
        var serial = Interlocked.Increment(ref _serial);
        var time = Truncate(at ?? LocalNow);
        var e = new HikAccessEvent(time, HikEventCodes.FacePass, serial, EmployeeNo: person,
            DoorNo: direction == Direction.Out ? 2 : 1, AttendanceStatus: direction == Direction.Out ? "checkOut" : direction == Direction.In ? "checkIn" : null,
            CurrentVerifyMode: "cardOrFace", DeviceName: "SIM " + Sn, PicturesNumber: Pictures ? 1 : 0);
        var punch = new DevicePunch(Sn, serial, person, time, direction, VerifyMode.Face);
        Enqueue(punch.EventId, HikIsapiCodec.EncodeAccessEvent(e), person);
        return punch;
    }

    /// <summary>A face that did not match anyone enrolled: a device event, not a punch.</summary>
    public void FailedVerification()
    {
        var serial = Interlocked.Increment(ref _serial);
        var e = new HikAccessEvent(Truncate(LocalNow), HikEventCodes.FaceFail, serial, DoorNo: 1, CurrentVerifyMode: "cardOrFace", PicturesNumber: Pictures ? 1 : 0);
        Enqueue(null, HikIsapiCodec.EncodeAccessEvent(e), "stranger");
    }

    private void Enqueue(string? eventId, byte[] json, string who)
    {
        if (Pictures)
        {
            var boundary = "MIME_boundary_" + Guid.NewGuid().ToString("N")[..12];
            _outbox.Enqueue((eventId, HikMultipart.Encode(boundary, json, Face(who)), HikMultipart.ContentType(boundary)));
        }
        else
        {
            _outbox.Enqueue((eventId, json, "application/json"));
        }
    }

    /// <summary>A valid JPEG per person: the base image with a comment segment naming them.</summary>
    private static byte[] Face(string who)
    {
        var comment = Encoding.ASCII.GetBytes("face of " + who);
        var jpeg = new byte[FaceJpeg.Length + comment.Length + 4];
        FaceJpeg.AsSpan(0, 2).CopyTo(jpeg);
        jpeg[2] = 0xFF;
        jpeg[3] = 0xFE;
        jpeg[4] = (byte)((comment.Length + 2) >> 8);
        jpeg[5] = (byte)(comment.Length + 2);
        comment.CopyTo(jpeg.AsSpan(6));
        FaceJpeg.AsSpan(2).CopyTo(jpeg.AsSpan(6 + comment.Length));
        return jpeg;
    }

    private static DateTimeOffset Truncate(DateTimeOffset time) =>
        new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), time.Offset);

    private async Task RunAsync(CancellationToken stop)
    {
        var nextHeartbeat = DateTimeOffset.MinValue;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (Online)
                {
                    if (HeartbeatInterval is { } interval && _clock.GetUtcNow() >= nextHeartbeat)
                    {
                        using var content = new ByteArrayContent(HikIsapiCodec.EncodeHeartbeat(LocalNow, "127.0.0.1"));
                        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                        using var response = await _http.PostAsync(PushPath, content, stop);
                        response.EnsureSuccessStatusCode();
                        nextHeartbeat = _clock.GetUtcNow() + interval;
                    }

                    while (Online && _outbox.TryPeek(out var item))
                    {
                        Volatile.Write(ref _sending, 1);
                        using var content = new ByteArrayContent(item.Body);
                        content.Headers.TryAddWithoutValidation("Content-Type", item.ContentType);
                        using var response = await _http.PostAsync(PushPath, content, stop);
                        response.EnsureSuccessStatusCode();
                        _outbox.TryDequeue(out _);
                        if (item.EventId is not null)
                        {
                            _acked[item.EventId] = 0;
                        }

                        Volatile.Write(ref _sending, 0);
                    }
                }

                await Task.Delay(RetryInterval, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // Keep the event, try again: the firmware resends until it gets a 200.
                Volatile.Write(ref _sending, 0);
                await Task.Delay(RetryInterval, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private void MapIsapi(WebApplication app)
    {
        app.MapPut("/ISAPI/AccessControl/RemoteControl/door/{door}", (HttpContext http) => Serve(http, _ => { }));
        app.MapPut("/ISAPI/System/reboot", (HttpContext http) => Serve(http, _ => { }));
        app.MapPut("/ISAPI/System/time", (HttpContext http) => Serve(http, _ => ClockSkew = TimeSpan.Zero));
        app.MapPost("/ISAPI/AccessControl/UserInfo/SetUp", (HttpContext http) => Serve(http, body =>
        {
            var user = body.RootElement.GetProperty("UserInfo");
            Enrolled[user.GetProperty("employeeNo").GetString()!] = user.TryGetProperty("name", out var name) ? name.GetString() ?? "" : "";
        }));
        app.MapPut("/ISAPI/AccessControl/UserInfoDetail/Delete", (HttpContext http) => Serve(http, body =>
        {
            foreach (var item in body.RootElement.GetProperty("UserInfoDetail").GetProperty("EmployeeNoList").EnumerateArray())
            {
                Enrolled.TryRemove(item.GetProperty("employeeNo").GetString()!, out _);
            }
        }));
    }

    private async Task Serve(HttpContext http, Action<JsonDocument> act)
    {
        if (!Online)
        {
            http.Abort();
            return;
        }

        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(http.RequestAborted);
        try
        {
            using var body = JsonDocument.Parse(text.TrimStart().StartsWith('{') ? text : "{}");
            act(body);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            await http.Response.WriteAsync("""{"statusCode":4,"statusString":"Invalid Operation","subStatusCode":"badJsonContent"}""", http.RequestAborted);
            return;
        }

        Executed.Enqueue(http.Request.Method + " " + http.Request.Path);
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync("""{"statusCode":1,"statusString":"OK","subStatusCode":"ok"}""", http.RequestAborted);
    }

    public Task<bool> WaitDrainedAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        TerminalCache.WaitDrainedAsync(() => Cached, timeout, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_isapi is not null)
        {
            await _isapi.StopAsync();
            await _isapi.DisposeAsync();
        }

        _http.Dispose();
        _stop.Dispose();
    }
}
