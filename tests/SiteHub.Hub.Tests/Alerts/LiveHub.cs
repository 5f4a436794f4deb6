using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using MQTTnet;
using MQTTnet.Protocol;
using SiteHub.Protocols;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.Uplink;
using SiteHub.Testing;

namespace SiteHub.Hub.Tests.Alerts;

/// <summary>
/// An in-process hub on a fake clock, driven as its users drive it: CSV files through the REST
/// API, punches as a gateway over MQTT. Every API response body is kept for the scan for secrets.
/// </summary>
public sealed class LiveHub : IAsyncDisposable
{
    public static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private readonly RecordingHandler _recorder;

    private LiveHub(InProcessHub hub, FakeTimeProvider clock, RecordingHandler recorder, LogCapture logs)
    {
        Logs = logs.Lines;
        Hub = hub;
        Clock = clock;
        _recorder = recorder;
        Api = new HttpClient(recorder) { BaseAddress = hub.Api.BaseAddress };
        Api.DefaultRequestHeaders.Authorization = hub.Api.DefaultRequestHeaders.Authorization;
    }

    public InProcessHub Hub { get; }

    public FakeTimeProvider Clock { get; }

    /// <summary>An API client whose responses are recorded.</summary>
    public HttpClient Api { get; }

    /// <summary>Every response body so far, with its request.</summary>
    public IReadOnlyCollection<(string Request, string Body)> Responses => _recorder.Responses;

    /// <summary>Every line the hub logged (Debug and up), with exceptions: the hub logs here instead of the console.</summary>
    public IReadOnlyCollection<string> Logs { get; }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Starts a hub whose clock reads <paramref name="now"/>; gateways of <paramref name="sites"/> log in with <c>pw-{site}-gateway</c>.</summary>
    public static Task<LiveHub> StartAsync(DateTimeOffset now, params string[] sites) => StartOnAsync(now, null, sites);

    /// <summary>As <see cref="StartAsync(DateTimeOffset, string[])"/>, on the data in <paramref name="dataPath"/> when given.</summary>
    public static async Task<LiveHub> StartOnAsync(DateTimeOffset now, string? dataPath, params string[] sites)
    {
        var clock = new FakeTimeProvider(now);
        var logs = new LogCapture();
        var hub = await InProcessHub.StartAsync(
            services =>
            {
                services.AddSingleton<TimeProvider>(clock);
                services.AddSingleton<ILoggerFactory>(_ => LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(logs)));
            },
            [.. sites.Select(s => $"--Gateways:{s}:Password=pw-{s}-gateway"), .. dataPath is null ? Array.Empty<string>() : [$"--Hub:DataPath={dataPath}"]],
            Token);
        return new LiveHub(hub, clock, new RecordingHandler(), logs);
    }

    /// <summary>POSTs a CSV file to <c>/api/imports/{kind}</c>.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> ImportAsync(string kind, string csv, string? query = null) =>
        await ImportAsync(kind, Encoding.UTF8.GetBytes(csv), query);

    public async Task<(HttpStatusCode Status, JsonElement Body)> ImportAsync(string kind, byte[] csv, string? query = null)
    {
        using var content = new ByteArrayContent(csv);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var response = await Api.PostAsync($"/api/imports/{kind}{(query is null ? "" : "?" + query)}", content, Token);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(Token));
    }

    public async Task<JsonElement> GetAsync(string path)
    {
        using var response = await Api.GetAsync(path, Token);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Token)}");
        return await response.Content.ReadFromJsonAsync<JsonElement>(Token);
    }

    /// <summary>
    /// Publishes the punches of a <c>punches.csv</c> as gateway <paramref name="siteId"/> in batches
    /// of 100, waits for every ack, then for the live rules to have taken them all in.
    /// </summary>
    public async Task PublishPunchesAsync(string siteId, string punchesCsv)
    {
        var punches = punchesCsv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1).Select((line, i) =>
        {
            var f = line.Split(',');
            var at = DateTimeOffset.Parse(f[5], CultureInfo.InvariantCulture);
            var direction = f[4] switch { "in" => Direction.In, "out" => Direction.Out, _ => Direction.Unknown };
            return InProcessHub.MakePunch(f[1], f[2], i + 1, f[3], direction, at);
        }).ToList();
        var (gateway, result) = await Hub.ConnectGatewayAsync(siteId, $"pw-{siteId}-gateway", Token);
        using var client = gateway;
        Assert.Equal(MqttClientConnectResultCode.Success, result);
        var acks = new ConcurrentBag<BatchAck>();
        gateway.ApplicationMessageReceivedAsync += e =>
        {
            acks.Add(JsonSerializer.Deserialize(e.ApplicationMessage.Payload.First.Span, ProtocolsJsonContext.Default.BatchAck)!);
            return Task.CompletedTask;
        };
        await gateway.SubscribeAsync(UplinkTopics.Acks(siteId), MqttQualityOfServiceLevel.AtLeastOnce, Token);
        var batches = punches.Chunk(100).Select((chunk, i) => new PunchBatch(siteId, $"{siteId}-b{i}", chunk)).ToList();
        foreach (var batch in batches)
        {
            await gateway.PublishAsync(InProcessHub.BatchMessage(siteId, batch), Token);
        }

        await TestEnvironment.WaitUntilAsync(() => acks.Count >= batches.Count, TimeSpan.FromSeconds(30), $"{batches.Count} acks", Token);
        Assert.Equal(punches.Count, acks.Sum(a => a.Accepted + a.Duplicates));
        await WaitForRulesAsync();
    }

    /// <summary>Waits until the live rules have taken in every stored punch.</summary>
    public Task WaitForRulesAsync() => TestEnvironment.WaitUntilAsync(async () =>
    {
        var state = await GetAsync("/api/reconciliation/state");
        return state.GetProperty("applied_seq").GetInt64() == state.GetProperty("stored_seq").GetInt64() && state.GetProperty("queued_batches").GetInt32() == 0;
    }, TimeSpan.FromSeconds(30), "the live rules to take in every punch", Token);

    /// <summary>Moves the clock to <paramref name="now"/> and waits for the rules' tick to reach that day.</summary>
    public async Task AdvanceToAsync(DateTimeOffset now)
    {
        Clock.SetUtcNow(now);
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Shanghai).DateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await TestEnvironment.WaitUntilAsync(async () =>
        {
            // A tick is due every minute of the fake clock: nudge it until the rules have moved.
            Clock.Advance(TimeSpan.FromMinutes(1));
            return (await GetAsync("/api/reconciliation/state")).GetProperty("as_of").GetString() == day;
        }, TimeSpan.FromSeconds(30), $"the rules to reach {day}", Token);
    }

    /// <summary>Alerts from <c>GET /api/alerts</c> as interchange lines (the fields <c>reconcile</c> prints), sorted.</summary>
    public async Task<List<string>> AlertLinesAsync(string query = "status=open") =>
        [.. (await GetAsync("/api/alerts?" + query)).EnumerateArray().Select(InterchangeLine).Order(StringComparer.Ordinal)];

    /// <summary>The interchange fields of an alert, in the interchange order, as one line.</summary>
    public static string InterchangeLine(JsonElement alert) => string.Join(" | ",
        new[] { "type", "severity", "project_id", "worker_id", "wage_month", "expected", "paid", "days", "detail" }.Select(f => alert.GetProperty(f) is { ValueKind: JsonValueKind.String } text ? text.GetString() : alert.GetProperty(f).GetRawText()));

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await Hub.DisposeAsync();
    }

    private sealed class LogCapture : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue($"{logLevel}: {formatter(state, exception)} {exception}");

        public void Dispose()
        {
        }
    }

    private sealed class RecordingHandler() : DelegatingHandler(new HttpClientHandler())
    {
        public ConcurrentQueue<(string Request, string Body)> Responses { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            Responses.Enqueue(($"{request.Method} {request.RequestUri?.PathAndQuery}", body));
            return response;
        }
    }
}
