using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace SiteHub.Platform.Telemetry;

/// <summary>
/// The app's instruments in Prometheus' text format (0.0.4), aggregated by a <see cref="MeterListener"/>:
/// counters summed, histograms in OpenTelemetry's default buckets, observable instruments read at each
/// scrape. Names, units, labels and buckets are those OpenTelemetry's Prometheus exporter wrote
/// before (the dashboards and alerts query them): a counter gets <c>_total</c>, a unit of <c>s</c> or
/// <c>ms</c> becomes <c>_seconds</c> or <c>_milliseconds</c> (annotations such as <c>{punch}</c>
/// are dropped), and every series carries <c>otel_scope_name</c>, its meter's name. Written here
/// instead of running OpenTelemetry's SDK for it: the SDK loaded ~4 MiB into a gateway that must
/// stay within 120 MB (BENCHMARKS.md "Gateway memory").
/// </summary>
public sealed class PrometheusText : IDisposable
{
    /// <summary>OpenTelemetry's default explicit bucket bounds for histograms.</summary>
    public static readonly double[] HistogramBounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly MeterListener _listener = new();
    private readonly string _serviceName;
    private readonly Lock _lock = new(); // the instruments and the synchronous ones' series
    private readonly Lock _scrape = new();
    private readonly Dictionary<Instrument, Series> _instruments = [];
    private readonly Action<Exception>? _onObserveError;
    private Dictionary<Instrument, Series>? _observing; // during a scrape: what observable instruments report

    /// <param name="serviceName">The <c>service_name</c> of the <c>target_info</c> series.</param>
    /// <param name="include">Which instruments to export, by their meter.</param>
    /// <param name="onObserveError">Told when an observable instrument's callback throws during a scrape.</param>
    public PrometheusText(string serviceName, Func<Meter, bool> include, Action<Exception>? onObserveError = null)
    {
        _serviceName = serviceName;
        _onObserveError = onObserveError;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (include(instrument.Meter))
            {
                lock (_lock)
                {
                    _instruments[instrument] = new Series(instrument);
                }

                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) =>
        {
            lock (_lock)
            {
                _instruments.Remove(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Every exported series, as Prometheus scrapes them.</summary>
    public string Scrape()
    {
        lock (_scrape)
        {
            // Observable instruments report through the measurement callback, on this thread, into a
            // fresh set of series; their callbacks (app code, a query perhaps) run outside _lock, so a
            // scrape never holds up a commit that records its duration.
            lock (_lock)
            {
                _observing = _instruments.Keys.Where(i => i.IsObservable).ToDictionary(i => i, i => new Series(i));
            }

            try
            {
                try
                {
                    _listener.RecordObservableInstruments();
                }
                catch (AggregateException ex)
                {
                    // One failing callback (a store being reopened, say) leaves out its series, not the rest.
                    _onObserveError?.Invoke(ex);
                }
                var text = new StringBuilder();
                text.Append("# TYPE target_info gauge\n# HELP target_info Target metadata\n");
                text.Append("target_info{service_name=\"").Append(EscapeLabel(_serviceName)).Append("\"} 1\n");
                lock (_lock)
                {
                    var all = _instruments.Select(i => i.Key.IsObservable ? _observing.GetValueOrDefault(i.Key) : i.Value).OfType<Series>();
                    foreach (var series in all.OrderBy(s => s.Name, StringComparer.Ordinal))
                    {
                        series.WriteTo(text);
                    }
                }

                return text.ToString();
            }
            finally
            {
                _observing = null;
            }
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (instrument.IsObservable)
        {
            _observing?.GetValueOrDefault(instrument)?.Record(value, tags); // only during a scrape, on its thread
            return;
        }

        lock (_lock)
        {
            _instruments.GetValueOrDefault(instrument)?.Record(value, tags);
        }
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>The exported name: the instrument's, the unit's word, and <c>_total</c> for a counter.</summary>
    public static string NameOf(Instrument instrument)
    {
        var name = new StringBuilder(instrument.Name.Length + 16);
        foreach (var c in instrument.Name)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || c == ':' ? c : '_');
        }

        var unit = instrument.Unit switch
        {
            "s" => "seconds",
            "ms" => "milliseconds",
            "By" => "bytes",
            "1" when !IsMonotonic(instrument) => "ratio",
            _ => null, // none, or an annotation like {punch}
        };
        if (unit is not null && !name.ToString().EndsWith("_" + unit, StringComparison.Ordinal))
        {
            name.Append('_').Append(unit);
        }

        if (IsMonotonic(instrument))
        {
            name.Append("_total");
        }

        return name.ToString();
    }

    private static bool IsMonotonic(Instrument instrument) =>
        instrument.GetType().IsGenericType && instrument.GetType().GetGenericTypeDefinition() is var kind
        && (kind == typeof(Counter<>) || kind == typeof(ObservableCounter<>));

    private static bool IsHistogram(Instrument instrument) =>
        instrument.GetType().IsGenericType && instrument.GetType().GetGenericTypeDefinition() == typeof(Histogram<>);

    private static string EscapeLabel(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>One instrument's series, by label set.</summary>
    private sealed class Series(Instrument instrument)
    {
        private readonly bool _histogram = IsHistogram(instrument);
        private readonly bool _sum = IsMonotonic(instrument) && !instrument.IsObservable
            || instrument.GetType().IsGenericType && instrument.GetType().GetGenericTypeDefinition() == typeof(UpDownCounter<>);
        private readonly Dictionary<string, double[]> _byLabels = new(StringComparer.Ordinal);

        public string Name { get; } = NameOf(instrument);

        /// <summary>Counters and up-down counters add, histograms count into buckets, observable instruments report their value.</summary>
        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = Labels(tags);
            if (!_byLabels.TryGetValue(labels, out var cells))
            {
                // A histogram's cells: one per bound, then +Inf, sum and count.
                _byLabels[labels] = cells = new double[_histogram ? HistogramBounds.Length + 3 : 1];
            }

            if (_histogram)
            {
                var bucket = Array.FindIndex(HistogramBounds, bound => value <= bound);
                cells[bucket < 0 ? HistogramBounds.Length : bucket]++;
                cells[^2] += value;
                cells[^1]++;
            }
            else if (_sum)
            {
                cells[0] += value;
            }
            else
            {
                cells[0] = value;
            }
        }

        public void WriteTo(StringBuilder text)
        {
            if (_byLabels.Count == 0)
            {
                return; // nothing recorded yet: no series, and no header for none
            }

            var type = _histogram ? "histogram" : IsMonotonic(instrument) ? "counter" : "gauge";
            text.Append("# TYPE ").Append(Name).Append(' ').Append(type).Append('\n');
            if (!string.IsNullOrEmpty(instrument.Description))
            {
                text.Append("# HELP ").Append(Name).Append(' ')
                    .Append(instrument.Description.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
            }

            foreach (var (labels, cells) in _byLabels.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                if (!_histogram)
                {
                    text.Append(Name).Append('{').Append(labels).Append("} ").Append(Number(cells[0])).Append('\n');
                    continue;
                }

                double cumulative = 0;
                for (var i = 0; i <= HistogramBounds.Length; i++)
                {
                    cumulative += cells[i];
                    var bound = i < HistogramBounds.Length ? Number(HistogramBounds[i]) : "+Inf";
                    text.Append(Name).Append("_bucket{").Append(labels).Append(",le=\"").Append(bound).Append("\"} ").Append(Number(cumulative)).Append('\n');
                }

                text.Append(Name).Append("_sum{").Append(labels).Append("} ").Append(Number(cells[^2])).Append('\n');
                text.Append(Name).Append("_count{").Append(labels).Append("} ").Append(Number(cells[^1])).Append('\n');
            }
        }

        /// <summary>The label set as written: the meter's name, then the tags by name (one series whatever order they came in).</summary>
        private string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = new StringBuilder("otel_scope_name=\"").Append(EscapeLabel(instrument.Meter.Name)).Append('"');
            var sorted = tags.ToArray();
            Array.Sort(sorted, (a, b) => string.CompareOrdinal(a.Key, b.Key));
            foreach (var (key, value) in sorted)
            {
                labels.Append(',').Append(key).Append("=\"").Append(EscapeLabel(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")).Append('"');
            }

            return labels.ToString();
        }
    }
}
