using System.Collections.Concurrent;
using System.Net.ServerSentEvents;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SiteHub.Platform.Web;

/// <summary>
/// The live feed of a web UI's open pages, as server-sent events: what changed is published as a
/// typed event (<c>site</c>, <c>device</c>, <c>alert</c>…), and the subclass samples what changes
/// without an event once a second.
/// </summary>
/// <remarks>
/// Each page gets its own bounded channel that drops its oldest events when the page cannot keep
/// up: a slow tablet loses intermediate states, never the app's ingest. An idle stream gets a
/// <c>ping</c> every 15 seconds (proxies and browsers time out a silent one). A stream ends when
/// its page goes away or the app stops, so an open page never holds up shutdown. A failed sample
/// is logged and the loop goes on at the next tick.
/// </remarks>
/// <param name="timer">The clock of the one-second sample (the app's clock, or the real one where tests run the app on a fake clock).</param>
/// <param name="logger">Where a failed sample is logged.</param>
public abstract partial class LiveEventFeed(TimeProvider timer, ILogger logger) : BackgroundService
{
    private const int PageBuffer = 1000;
    private static readonly TimeSpan PingAfter = TimeSpan.FromSeconds(15);
    private readonly ConcurrentDictionary<Channel<SseItem<string>>, byte> _subscribers = new();

    /// <summary>Sends an event to every open page.</summary>
    protected void Publish(string type, string json)
    {
        var item = new SseItem<string>(json, type);
        foreach (var subscriber in _subscribers.Keys)
        {
            subscriber.Writer.TryWrite(item);
        }
    }

    /// <summary>What a page gets first, as soon as it connects (the hub's <c>hello</c>, the gateway's uplink panel).</summary>
    protected abstract SseItem<string> Greeting();

    /// <summary>Looks at what changes without an event; called once a second.</summary>
    protected abstract void Sample();

    /// <summary>The events for one page until it goes away or the app stops (<paramref name="lifetime"/> is disposed at the end).</summary>
    public async IAsyncEnumerable<SseItem<string>> StreamAsync(CancellationTokenSource lifetime)
    {
        using var owned = lifetime;
        var cancellationToken = lifetime.Token;
        var channel = Channel.CreateBounded<SseItem<string>>(new BoundedChannelOptions(PageBuffer) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        _subscribers[channel] = 0;
        try
        {
            yield return Greeting();
            while (true)
            {
                SseItem<string> item;
                try
                {
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    idle.CancelAfter(PingAfter);
                    item = await channel.Reader.ReadAsync(idle.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    item = new SseItem<string>("{}", "ping");
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }

                yield return item;
            }
        }
        finally
        {
            _subscribers.TryRemove(channel, out _);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1), timer);
        do
        {
            try
            {
                Sample();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSampleFailed(logger, ex, GetType().Name);
            }
        }
        while (await WaitAsync(tick, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer tick, CancellationToken stoppingToken)
    {
        try
        {
            return await tick.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Logs a failed sample or event handler of the feed.</summary>
    protected void LogFailure(Exception exception) => LogSampleFailed(logger, exception, GetType().Name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sampling the live state of {Feed} failed; trying again in a second")]
    private static partial void LogSampleFailed(ILogger logger, Exception exception, string feed);
}

/// <summary>Registration of a web UI's live feed.</summary>
public static class LiveEventFeedExtensions
{
    /// <summary>The feed as a singleton the pages read and as the hosted service that samples it.</summary>
    public static IServiceCollection AddLiveEventFeed<TFeed>(this IServiceCollection services)
        where TFeed : LiveEventFeed
    {
        services.AddSingleton<TFeed>();
        services.AddHostedService(provider => provider.GetRequiredService<TFeed>());
        return services;
    }

    /// <summary>Serves the feed at <paramref name="pattern"/> (<c>/ui/events</c>) until the page goes away or the app stops.</summary>
    public static RouteHandlerBuilder MapLiveEventFeed<TFeed>(this IEndpointRouteBuilder app, string pattern)
        where TFeed : LiveEventFeed =>
        app.MapGet(pattern, (TFeed feed, IHostApplicationLifetime lifetime, CancellationToken requestAborted) =>
            TypedResults.ServerSentEvents(feed.StreamAsync(CancellationTokenSource.CreateLinkedTokenSource(requestAborted, lifetime.ApplicationStopping))));
}
