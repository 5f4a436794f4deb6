using System.Diagnostics.Metrics;
using SiteHub.Platform.Telemetry;

namespace SiteHub.Gateway.Tests;

/// <summary>The scrape text of <see cref="PrometheusText"/>, in the shape OpenTelemetry's Prometheus exporter wrote it.</summary>
public sealed class PrometheusTextTests
{
    [Fact]
    public void Counters_gauges_and_histograms_are_written_with_units_totals_buckets_and_the_scope()
    {
        using var meter = new Meter("Test.Scrape." + Guid.NewGuid().ToString("N"));
        using var other = new Meter("Test.Other." + Guid.NewGuid().ToString("N"));
        using var metrics = new PrometheusText("sitehub-test", m => m == meter);
        var punches = meter.CreateCounter<long>("test_punches", "{punch}", "Punches \"counted\"");
        var commit = meter.CreateHistogram<double>("test_commit_duration", "ms", "Commit time");
        var backlog = 42L;
        meter.CreateObservableGauge("test_backlog_age", () => backlog / 2.0, "s", "Age");
        meter.CreateObservableCounter("test_acked", () => backlog * 10, "{punch}", null);
        meter.CreateObservableGauge("test_devices", () => new[]
        {
            new Measurement<int>(3, new KeyValuePair<string, object?>("state", "online")),
            new Measurement<int>(1, new KeyValuePair<string, object?>("state", "offline")),
        });
        other.CreateCounter<long>("test_not_mine").Add(5);
        meter.CreateCounter<long>("test_never_recorded");

        punches.Add(2, new KeyValuePair<string, object?>("site", "s\\1"));
        punches.Add(3, new KeyValuePair<string, object?>("site", "s\\1"));
        commit.Record(4.5, new KeyValuePair<string, object?>("store", "outbox"));
        commit.Record(80, new KeyValuePair<string, object?>("store", "outbox"));
        commit.Record(20_000, new KeyValuePair<string, object?>("store", "outbox"));

        var scope = $"otel_scope_name=\"{meter.Name}\"";
        var text = metrics.Scrape();
        Assert.StartsWith("# TYPE target_info gauge\n# HELP target_info Target metadata\ntarget_info{service_name=\"sitehub-test\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains($"# TYPE test_punches_total counter\n# HELP test_punches_total Punches \"counted\"\ntest_punches_total{{{scope},site=\"s\\\\1\"}} 5\n", text, StringComparison.Ordinal);
        Assert.Contains($"# TYPE test_backlog_age_seconds gauge\n# HELP test_backlog_age_seconds Age\ntest_backlog_age_seconds{{{scope}}} 21\n", text, StringComparison.Ordinal);
        Assert.Contains($"# TYPE test_acked_total counter\ntest_acked_total{{{scope}}} 420\n", text, StringComparison.Ordinal);
        Assert.Contains($"test_devices{{{scope},state=\"offline\"}} 1\ntest_devices{{{scope},state=\"online\"}} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE test_commit_duration_milliseconds histogram\n", text, StringComparison.Ordinal);
        var bucket = $"test_commit_duration_milliseconds_bucket{{{scope},store=\"outbox\",le=";
        Assert.Contains($"{bucket}\"0\"}} 0\n{bucket}\"5\"}} 1\n", text, StringComparison.Ordinal);
        Assert.Contains($"{bucket}\"75\"}} 1\n{bucket}\"100\"}} 2\n", text, StringComparison.Ordinal);
        Assert.Contains($"{bucket}\"10000\"}} 2\n{bucket}\"+Inf\"}} 3\n", text, StringComparison.Ordinal);
        Assert.Contains($"test_commit_duration_milliseconds_sum{{{scope},store=\"outbox\"}} 20084.5\ntest_commit_duration_milliseconds_count{{{scope},store=\"outbox\"}} 3\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("test_not_mine", text, StringComparison.Ordinal);
        Assert.DoesNotContain("test_never_recorded", text, StringComparison.Ordinal);

        // Observable instruments are read at each scrape; counters keep adding.
        backlog = 10;
        punches.Add(1, new KeyValuePair<string, object?>("site", "s\\1"));
        text = metrics.Scrape();
        Assert.Contains($"test_backlog_age_seconds{{{scope}}} 5\n", text, StringComparison.Ordinal);
        Assert.Contains($"test_punches_total{{{scope},site=\"s\\\\1\"}} 6\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_instrument_whose_meter_is_disposed_leaves_the_scrape()
    {
        var meter = new Meter("Test.Gone." + Guid.NewGuid().ToString("N"));
        using var metrics = new PrometheusText("sitehub-test", m => m == meter);
        meter.CreateCounter<int>("test_gone").Add(1);
        Assert.Contains("test_gone_total", metrics.Scrape(), StringComparison.Ordinal);
        meter.Dispose();
        Assert.DoesNotContain("test_gone", metrics.Scrape(), StringComparison.Ordinal);
    }
    [Fact]
    public void A_failing_callback_leaves_out_its_series_only_and_is_reported_and_tag_order_makes_no_second_series()
    {
        using var meter = new Meter("Test.Fail." + Guid.NewGuid().ToString("N"));
        var errors = new List<Exception>();
        using var metrics = new PrometheusText("sitehub-test", m => m == meter, errors.Add);
        meter.CreateObservableGauge<int>("test_broken", new Func<int>(() => throw new IOException("store reopening")));
        meter.CreateObservableGauge("test_fine", () => 7);
        var counter = meter.CreateCounter<long>("test_tagged");
        counter.Add(1, new KeyValuePair<string, object?>("site", "a"), new KeyValuePair<string, object?>("outcome", "ok"));
        counter.Add(2, new KeyValuePair<string, object?>("outcome", "ok"), new KeyValuePair<string, object?>("site", "a"));

        var text = metrics.Scrape();

        Assert.Contains($"test_fine{{otel_scope_name=\"{meter.Name}\"}} 7\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("test_broken{", text, StringComparison.Ordinal);
        Assert.Contains(errors, e => e.ToString().Contains("store reopening", StringComparison.Ordinal));
        Assert.Contains($"test_tagged_total{{otel_scope_name=\"{meter.Name}\",outcome=\"ok\",site=\"a\"}} 3\n", text, StringComparison.Ordinal);
    }
}
