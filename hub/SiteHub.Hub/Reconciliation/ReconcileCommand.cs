using System.CommandLine;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SiteHub.Hub.Imports;
using SiteHub.Hub.Registry;

namespace SiteHub.Hub.Reconciliation;

/// <summary>
/// <c>reconcile --projects F --roster F --punches F --payouts F --as-of YYYY-MM-DD [--format jsonl|table] [--out F]</c>:
/// the bulk path. Reads the four interchange files, runs the same rules as the live hub and
/// prints the alerts standing at the end of the as-of day.
/// </summary>
/// <remarks>
/// Exit codes: 0 when the alerts were written (whatever they are, and even when some rows were
/// skipped: those are listed on stderr as <c>file:line: column: reason</c>); 1 for a wrong
/// command line or configuration; 2 when an input file is unusable (missing, unreadable,
/// undecodable, or without a required column). Configuration: <c>appsettings.json</c> beside the
/// program, environment variables (<c>Reconciliation__ExcessivePayCap</c>…) and <c>--config</c>;
/// <c>Registry:HashKey</c> is optional here: without it a random key is used, as the hashes
/// never leave the process.
/// </remarks>
public static class ReconcileCommand
{
    public const int Success = 0;
    public const int UsageError = 1;
    public const int InputError = 2;

    /// <summary>Runs <c>reconcile …</c> (<paramref name="args"/> starts with <c>reconcile</c>).</summary>
    public static Task<int> InvokeAsync(string[] args)
    {
        var root = new RootCommand("SiteHub hub") { Create() };
        return root.Parse(args).InvokeAsync();
    }

    /// <summary>The <c>reconcile</c> command.</summary>
    public static Command Create()
    {
        var projects = new Option<string>("--projects") { Description = "projects.csv", Required = true };
        var roster = new Option<string>("--roster") { Description = "roster.csv", Required = true };
        var punches = new Option<string>("--punches") { Description = "punches.csv", Required = true };
        var payouts = new Option<string>("--payouts") { Description = "payouts.csv (the bank's 代发 flow)", Required = true };
        var asOf = new Option<string>("--as-of") { Description = "The day (YYYY-MM-DD) at whose end the alerts are listed", Required = true };
        var format = new Option<string>("--format") { Description = "jsonl (one alert per line) or table", DefaultValueFactory = _ => "jsonl" };
        format.AcceptOnlyFromAmong("jsonl", "table");
        var output = new Option<string?>("--out") { Description = "Write the alerts to this file instead of standard output" };
        var encoding = new Option<string?>("--encoding") { Description = "Encoding of the input files: auto (default), utf-8, gbk, gb18030" };
        var config = new Option<string?>("--config") { Description = "A JSON settings file (Imports, Reconciliation, Registry sections)" };
        var verbose = new Option<bool>("--verbose") { Description = "Report the time, memory and garbage collections of each phase on standard error" };
        var command = new Command("reconcile", "Reconcile attendance with bank payouts and list the standing alerts")
        {
            projects, roster, punches, payouts, asOf, format, output, encoding, config, verbose,
        };
        command.SetAction((parse, cancellationToken) => Task.FromResult(Run(
            new ReconcileArguments(
                parse.GetValue(projects)!,
                parse.GetValue(roster)!,
                parse.GetValue(punches)!,
                parse.GetValue(payouts)!,
                parse.GetValue(asOf)!,
                parse.GetValue(format)!,
                parse.GetValue(output),
                parse.GetValue(encoding),
                parse.GetValue(config),
                parse.GetValue(verbose)),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken)));
        return command;
    }

    /// <summary>Runs the command; the alerts go to <paramref name="stdout"/> unless <see cref="ReconcileArguments.Out"/> is set.</summary>
    public static int Run(ReconcileArguments args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        args = ResolvePaths(args);
        if (!DateOnly.TryParseExact(args.AsOf, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var asOf))
        {
            stderr.WriteLine($"reconcile: --as-of must be a date YYYY-MM-DD, not '{args.AsOf}'");
            return UsageError;
        }

        ImportOptions importOptions;
        ReconciliationSettings settings;
        KeyedHasher hasher;
        try
        {
            (importOptions, settings, hasher) = Configure(args);
        }
        catch (Exception e) when (e is ValidationException or ArgumentException or InvalidOperationException or IOException or TimeZoneNotFoundException)
        {
            stderr.WriteLine($"reconcile: {e.Message}");
            return UsageError;
        }

        var phases = new PhaseLog(args.Verbose ? stderr : null);
        var errors = new List<ImportError>();
        var importer = new CsvImporter(hasher, importOptions, settings.DefaultTimeZone, DateOnly.FromDateTime(DateTime.UtcNow));
        IReadOnlyList<Alert> alerts;
        int projectCount, rosterCount;
        long punchCount = 0, payoutCount = 0;
        try
        {
            var projects = Read(args.Projects, file => importer.ReadProjects(file, args.Projects, errors));
            var roster = Read(args.Roster, file => importer.ReadRoster(file, args.Roster, projects.ToDictionary(p => p.ProjectId, StringComparer.Ordinal), errors));
            (projectCount, rosterCount) = (projects.Count, roster.Count);
            phases.End("projects and roster read");
            var ledger = new ReconciliationLedger(projects, roster, settings);
            phases.End("registry indexed");
            Read(args.Punches, file =>
            {
                // Rows are parsed and matched to the registry on both cores, a block at a time with
                // a matcher of its own; this thread only folds them in, a batch at a time.
                foreach (var batch in importer.ReadPunchBatches<ResolvedPunch>(file, args.Punches, errors, () =>
                {
                    var matcher = new ReconciliationLedger.PunchMatcher(ledger);
                    return (in PunchFields p) => matcher.Resolve(p.SiteId, p.PersonId, p.Direction, p.OccurredAt);
                },
                restart: () =>
                {
                    // The file is read again from its start (it was not plain UTF-8 after all): the punches folded in so far are forgotten.
                    ledger = new ReconciliationLedger(projects, roster, settings);
                    punchCount = 0;
                }))
                {
                    foreach (ref readonly var punch in batch.AsSpan())
                    {
                        ledger.AddPunch(in punch);
                    }

                    var before = punchCount;
                    punchCount += batch.Count;
                    if (before / 1_000_000 != punchCount / 1_000_000)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                    }
                }

                return 0;
            });
            phases.End("punches read and folded in");
            Read(args.Payouts, file =>
            {
                foreach (var payout in importer.ReadPayouts(file, args.Payouts, errors))
                {
                    ledger.AddPayout(payout);
                    payoutCount++;
                }

                return 0;
            });
            phases.End("payouts read and linked");
            alerts = BulkReconciler.Run(ledger, asOf);
            phases.End("rules evaluated");
        }
        catch (CsvFileException e)
        {
            ReportRows(errors, stderr);
            stderr.WriteLine($"reconcile: {e.Message}");
            return InputError;
        }

        ReportRows(errors, stderr);
        try
        {
            if (args.Out is { } path)
            {
                using var file = new StreamWriter(path, append: false, new UTF8Encoding(false));
                Write(alerts, args.Format, file);
            }
            else
            {
                Write(alerts, args.Format, stdout);
            }
        }
        catch (IOException e)
        {
            stderr.WriteLine($"reconcile: cannot write {args.Out}: {e.Message}");
            return UsageError;
        }

        phases.End("alerts written");
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reconcile: {alerts.Count} alert(s) standing at the end of {asOf:yyyy-MM-dd} ({projectCount} project(s), {rosterCount} roster entries, {punchCount} punches, {payoutCount} payouts; {errors.Count} row(s) skipped)"));
        return Success;
    }

    /// <summary>Writes alerts as JSON lines or as a table.</summary>
    public static void Write(IReadOnlyList<Alert> alerts, string format, TextWriter writer)
    {
        if (format == "table")
        {
            WriteTable(alerts, writer);
            return;
        }

        var options = new JsonSerializerOptions(ReconciliationJsonContext.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var context = new ReconciliationJsonContext(options);
        foreach (var alert in alerts)
        {
            writer.WriteLine(JsonSerializer.Serialize(AlertJson.From(alert), context.AlertJson));
        }
    }

    private static void WriteTable(IReadOnlyList<Alert> alerts, TextWriter writer)
    {
        string[] header = ["TYPE", "SEVERITY", "PROJECT", "WORKER", "MONTH", "EXPECTED", "PAID", "DAYS", "DETAIL"];
        var rows = alerts.Select(a => new[]
        {
            a.Type.Code(), a.Severity.Code(), a.ProjectId ?? "-", a.WorkerId ?? "-", a.WageMonth?.ToString() ?? "-",
            a.Expected?.ToString("F2", CultureInfo.InvariantCulture) ?? "-", a.Paid?.ToString("F2", CultureInfo.InvariantCulture) ?? "-",
            a.Days?.ToString(CultureInfo.InvariantCulture) ?? "-", a.Detail,
        }).Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Length - 1).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
        {
            var line = new StringBuilder();
            for (var i = 0; i < row.Length; i++)
            {
                line.Append(i < widths.Length ? row[i].PadRight(widths[i] + 2) : row[i]);
            }

            writer.WriteLine(line.ToString().TrimEnd());
        }
    }

    // `dotnet run --project hub/SiteHub.Hub` runs a web project in its own folder, not in the
    // caller's: relative paths are then resolved against the shell's $PWD, where the caller is.
    private static ReconcileArguments ResolvePaths(ReconcileArguments args)
    {
        var current = Environment.CurrentDirectory;
        var shell = Environment.GetEnvironmentVariable("PWD");
        if (string.IsNullOrEmpty(shell) || !Directory.Exists(shell) || !File.Exists(Path.Combine(current, "SiteHub.Hub.csproj")))
        {
            return args;
        }

        string Resolve(string path) => Path.IsPathRooted(path) ? path : Path.GetFullPath(path, shell);
        return args with
        {
            Projects = Resolve(args.Projects),
            Roster = Resolve(args.Roster),
            Punches = Resolve(args.Punches),
            Payouts = Resolve(args.Payouts),
            Out = args.Out is null ? null : Resolve(args.Out),
            Config = args.Config is null ? null : Resolve(args.Config),
        };
    }

    private static T Read<T>(string path, Func<Stream, T> read)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CsvFileException(path, "cannot be read: " + e.Message);
        }

        using (stream)
        {
            return read(stream);
        }
    }

    private static void ReportRows(List<ImportError> errors, TextWriter stderr)
    {
        foreach (var error in errors)
        {
            stderr.WriteLine(error.ToString());
        }
    }

    private static (ImportOptions, ReconciliationSettings, KeyedHasher) Configure(ReconcileArguments args)
    {
        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables();
        if (args.Config is { } config)
        {
            builder.AddJsonFile(config, optional: false);
        }

        var configuration = builder.Build();
        var imports = configuration.GetSection(ImportOptions.Section).Get<ImportOptions>() ?? new ImportOptions();
        if (args.Encoding is { } encoding)
        {
            imports.Encoding = encoding;
        }

        CsvEncodings.Declared(imports.Encoding);
        var reconciliation = configuration.GetSection(ReconciliationOptions.Section).Get<ReconciliationOptions>() ?? new ReconciliationOptions();
        Validator.ValidateObject(reconciliation, new ValidationContext(reconciliation), validateAllProperties: true);
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(reconciliation.DefaultTimeZone, out _))
        {
            throw new ArgumentException("Reconciliation:DefaultTimeZone must be an IANA time zone id (e.g. Asia/Shanghai)");
        }

        var key = configuration[$"{RegistryOptions.Section}:{nameof(RegistryOptions.HashKey)}"];
        if (key is { Length: > 0 and < 16 })
        {
            throw new ArgumentException("Registry:HashKey must be at least 16 characters");
        }

        return (imports, ReconciliationSettings.From(reconciliation), string.IsNullOrEmpty(key) ? KeyedHasher.Ephemeral() : KeyedHasher.FromSecret(key));
    }
}

/// <summary>The arguments of <c>reconcile</c>, file paths as given.</summary>
public sealed record ReconcileArguments(string Projects, string Roster, string Punches, string Payouts, string AsOf, string Format = "jsonl", string? Out = null, string? Encoding = null, string? Config = null, bool Verbose = false);

/// <summary>
/// With <c>--verbose</c>, one line per phase on standard error: wall time, CPU time, managed heap
/// and garbage collections, which is what tells where a large run spends its time.
/// </summary>
internal sealed class PhaseLog(TextWriter? writer)
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private TimeSpan _cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
    private TimeSpan _wall;
    private readonly int[] _collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];

    public void End(string phase)
    {
        if (writer is null)
        {
            return;
        }

        var wall = _clock.Elapsed;
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        int[] collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reconcile: {phase}: {(wall - _wall).TotalSeconds:F1} s wall, {(cpu - _cpu).TotalSeconds:F1} s CPU, heap {GC.GetTotalMemory(false) / (1 << 20)} MiB, GCs {collections[0] - _collections[0]}/{collections[1] - _collections[1]}/{collections[2] - _collections[2]} (gen 0/1/2)"));
        (_wall, _cpu) = (wall, cpu);
        collections.CopyTo(_collections, 0);
    }
}
