using System.Net.Http.Json;
using System.Text.Json;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using SiteHub.Hub.Influx;
using SiteHub.Protocols.Punches;
using SiteHub.Protocols.Uplink;
using SiteHub.Testing;

namespace SiteHub.Hub.Tests;

/// <summary>
/// The InfluxDB write path against real servers: VictoriaMetrics (Debian's package, speaks
/// <c>/api/v2/write</c>) always, real InfluxDB 2 through Testcontainers where a Docker engine answers.
/// </summary>
public sealed class InfluxSinkTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static List<Punch> SomePunches(int from, int count)
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-30).ToOffset(TimeSpan.FromHours(8));
        return Enumerable.Range(from, count)
            .Select(i => InProcessHub.MakePunch("site-a", "FACE-1", i, $"W{i:D4}", i % 2 == 0 ? Direction.In : Direction.Out, at.AddSeconds(i)) with { Temperature = 36.5 })
            .ToList();
    }

    private static async Task<List<JsonElement>> ExportAsync(HttpClient victoria, string metric)
    {
        var text = await victoria.GetStringAsync($"/api/v1/export?match[]={Uri.EscapeDataString(metric)}", Token);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
    }

    private static int SampleCount(List<JsonElement> series) => series.Sum(s => s.GetProperty("values").GetArrayLength());

    [Fact]
    public async Task Punches_are_written_with_the_schema_tags_and_without_the_worker()
    {
        await using var victoria = await VictoriaMetricsServer.StartAsync(Token);
        await using var hub = await InProcessHub.StartAsync(Token, $"--Influx:Url={victoria.Url}", "--Influx:Token=t");
        var (gateway, _) = await hub.ConnectGatewayAsync("site-a", InProcessHub.GatewayPassword, Token);
        using var client = gateway;
        var punches = SomePunches(1, 10);

        await gateway.PublishAsync(InProcessHub.BatchMessage("site-a", new PunchBatch("site-a", "b1", punches)), Token);

        using var http = new HttpClient { BaseAddress = new Uri(victoria.Url) };
        List<JsonElement> series = [];
        await TestEnvironment.WaitUntilAsync(async () => SampleCount(series = await ExportAsync(http, "punch_count")) == 10, TimeSpan.FromSeconds(30), "10 punch points in VictoriaMetrics", Token);
        foreach (var s in series)
        {
            var tags = s.GetProperty("metric");
            Assert.Equal("site-a", tags.GetProperty("site").GetString());
            Assert.Equal("gate-1", tags.GetProperty("gate").GetString());
            Assert.Equal("FACE-1", tags.GetProperty("device").GetString());
            Assert.Contains(tags.GetProperty("direction").GetString(), new[] { "in", "out" });
            Assert.Equal("face", tags.GetProperty("mode").GetString());
            Assert.All(tags.EnumerateObject(), t => Assert.DoesNotContain("W0", t.Value.GetString(), StringComparison.Ordinal));
            Assert.All(s.GetProperty("values").EnumerateArray(), v => Assert.Equal(1, v.GetDouble()));
        }

        Assert.Equal(5, series.Where(s => s.GetProperty("metric").GetProperty("direction").GetString() == "in").Sum(s => s.GetProperty("values").GetArrayLength()));
        await TestEnvironment.WaitUntilAsync(async () => SampleCount(await ExportAsync(http, "punch_temperature")) == 10, TimeSpan.FromSeconds(30), "temperatures", Token);
        await TestEnvironment.WaitUntilAsync(async () => SampleCount(await ExportAsync(http, "headcount_on_site")) > 0, TimeSpan.FromSeconds(30), "headcount points", Token);
    }

    [Fact]
    public async Task An_influx_outage_does_not_block_acks_and_the_sink_catches_up()
    {
        await using var victoria = await VictoriaMetricsServer.StartAsync(Token);
        await using var hub = await InProcessHub.StartAsync(Token, $"--Influx:Url={victoria.Url}", "--Influx:Token=t", "--Influx:RetryDelay=00:00:00.200");
        var (gateway, _) = await hub.ConnectGatewayAsync("site-a", InProcessHub.GatewayPassword, Token);
        using var client = gateway;
        await victoria.StopAsync();

        // Every batch is committed (and its BatchAck sent) while InfluxDB is down.
        for (var i = 0; i < 5; i++)
        {
            var result = await gateway.PublishAsync(InProcessHub.BatchMessage("site-a", new PunchBatch("site-a", $"b{i}", SomePunches(i * 20, 20))), Token);
            Assert.True(result.IsSuccess);
        }

        await TestEnvironment.WaitUntilAsync(() => hub.Store.Count == 100, TimeSpan.FromSeconds(20), "all 100 punches committed", Token);
        var sink = hub.App.Services.GetRequiredService<InfluxSink>();
        await TestEnvironment.WaitUntilAsync(() => !sink.State.Healthy, TimeSpan.FromSeconds(20), "the sink to notice the outage", Token);
        Assert.True(sink.State.Lag > 0);

        await victoria.RestartAsync(Token);

        using var http = new HttpClient { BaseAddress = new Uri(victoria.Url) };
        await TestEnvironment.WaitUntilAsync(async () => SampleCount(await ExportAsync(http, "punch_count")) == 100, TimeSpan.FromSeconds(60), "all 100 punches after the outage", Token);
        Assert.Equal(0, sink.State.Lag);
    }

    [Fact]
    public async Task Punches_reach_a_real_influxdb_2_through_testcontainers()
    {
        IContainer influx;
        try
        {
            influx = new ContainerBuilder("influxdb:2.7")
                .WithPortBinding(8086, true)
                .WithEnvironment("DOCKER_INFLUXDB_INIT_MODE", "setup")
                .WithEnvironment("DOCKER_INFLUXDB_INIT_USERNAME", "sitehub")
                .WithEnvironment("DOCKER_INFLUXDB_INIT_PASSWORD", "sitehub-test-pw")
                .WithEnvironment("DOCKER_INFLUXDB_INIT_ORG", "sitehub")
                .WithEnvironment("DOCKER_INFLUXDB_INIT_BUCKET", "sitehub")
                .WithEnvironment("DOCKER_INFLUXDB_INIT_ADMIN_TOKEN", "sitehub-test-token")
                .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(r => r.ForPath("/health").ForPort(8086)))
                .Build();
            await influx.StartAsync(Token);
        }
        catch (Exception ex) when (ex is DockerUnavailableException || ex.GetType().Name.Contains("Docker", StringComparison.Ordinal))
        {
            Assert.Skip("No Docker engine answers here: the real InfluxDB 2 check runs where one does (VictoriaMetrics covers the write path). " + ex.Message);
            return;
        }

        await using var container = influx;
        var url = $"http://{influx.Hostname}:{influx.GetMappedPublicPort(8086)}";
        await using var hub = await InProcessHub.StartAsync(Token, $"--Influx:Url={url}", "--Influx:Token=sitehub-test-token");
        var (gateway, _) = await hub.ConnectGatewayAsync("site-a", InProcessHub.GatewayPassword, Token);
        using var client = gateway;
        await gateway.PublishAsync(InProcessHub.BatchMessage("site-a", new PunchBatch("site-a", "b1", SomePunches(1, 10))), Token);

        using var influxClient = new InfluxDB.Client.InfluxDBClient(url, "sitehub-test-token");
        await TestEnvironment.WaitUntilAsync(async () =>
        {
            var tables = await influxClient.GetQueryApi().QueryAsync(
                "from(bucket:\"sitehub\") |> range(start: -1d) |> filter(fn: (r) => r._measurement == \"punch\" and r._field == \"count\") |> group() |> count()",
                "sitehub", Token);
            return tables.SelectMany(t => t.Records).Sum(r => Convert.ToInt64(r.GetValue(), System.Globalization.CultureInfo.InvariantCulture)) == 10;
        }, TimeSpan.FromSeconds(60), "10 punches in InfluxDB", Token);
    }
}
