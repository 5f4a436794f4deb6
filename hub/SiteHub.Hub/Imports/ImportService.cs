using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using SiteHub.Hub.Alerts;
using SiteHub.Hub.Reconciliation;
using SiteHub.Hub.Registry;

namespace SiteHub.Hub.Imports;

/// <summary>The files the hub imports.</summary>
public static class ImportKinds
{
    public const string Projects = "projects";
    public const string Roster = "roster";
    public const string Payouts = "payouts";

    public static bool IsKnown(string kind) => kind is Projects or Roster or Payouts;
}

/// <summary>What an import did.</summary>
/// <param name="ImportId">Its entry in the import history.</param>
/// <param name="Imported">Rows stored.</param>
/// <param name="Skipped">Rows not stored (bad, or imported before).</param>
/// <param name="Errors">Why each skipped row was skipped.</param>
/// <param name="DuplicateOf">The earlier import of the very same file, when this one imported nothing for that reason.</param>
public sealed record ImportOutcome(long ImportId, int Imported, int Skipped, IReadOnlyList<ImportError> Errors, long? DuplicateOf);

/// <summary>
/// Imports <c>projects.csv</c>, <c>roster.csv</c> and <c>payouts.csv</c> into the registry and
/// hands them to the live rules. Good rows import and bad rows are reported; the same file
/// (by SHA-256 of its bytes) imports nothing the second time, and a transaction id imported
/// before is refused row by row. Imports run one at a time.
/// </summary>
public sealed partial class ImportService(
    RegistryStore registry,
    LiveReconciler live,
    KeyedHasher hasher,
    IOptions<ImportOptions> importOptions,
    IOptions<ReconciliationOptions> reconciliationOptions,
    TimeProvider clock,
    ILogger<ImportService> logger) : IDisposable
{
    private readonly SemaphoreSlim _one = new(1, 1);

    /// <summary>Imports <paramref name="content"/> as a file of <paramref name="kind"/>.</summary>
    /// <param name="kind">One of <see cref="ImportKinds"/>.</param>
    /// <param name="file">The file's name, for errors and the history.</param>
    /// <param name="content">The file's bytes.</param>
    /// <param name="encoding">A declared encoding (<c>utf-8</c>, <c>gbk</c>, <c>gb18030</c>, <c>auto</c>), or <c>null</c> for the configured one.</param>
    /// <param name="user">Who imports.</param>
    /// <param name="cancellationToken">Cancels waiting for another import to finish.</param>
    /// <exception cref="CsvFileException">The file cannot be imported at all (encoding, missing columns).</exception>
    /// <exception cref="ArgumentException">An unsupported encoding.</exception>
    public async Task<ImportOutcome> ImportAsync(string kind, string file, byte[] content, string? encoding, string user, CancellationToken cancellationToken)
    {
        var options = importOptions.Value;
        if (encoding is not null)
        {
            CsvEncodings.Declared(encoding);
            options = new ImportOptions { Encoding = encoding, Payouts = options.Payouts };
        }

        await _one.WaitAsync(cancellationToken);
        try
        {
            var sha = Convert.ToHexStringLower(SHA256.HashData(content));
            var entry = new ImportDoc { Kind = kind, File = file, Sha256 = sha, At = clock.GetUtcNow(), User = user };
            if (registry.FindImport(kind, sha) is { } earlier)
            {
                var id = registry.RecordImport(entry with { DuplicateOf = earlier.Id }, []);
                LogDuplicate(kind, file, earlier.Id);
                return new ImportOutcome(id, 0, 0, [], earlier.Id);
            }

            var zone = TimeZoneInfo.FindSystemTimeZoneById(reconciliationOptions.Value.DefaultTimeZone);
            var importer = new CsvImporter(hasher, options, zone, live.Today);
            var errors = new List<ImportError>();
            using var stream = new MemoryStream(content, writable: false);
            var outcome = kind switch
            {
                ImportKinds.Projects => ImportProjects(importer, stream, file, errors, entry),
                ImportKinds.Roster => ImportRoster(importer, stream, file, errors, entry),
                ImportKinds.Payouts => ImportPayouts(importer, stream, file, errors, entry),
                _ => throw new ArgumentException($"unknown import kind '{kind}'", nameof(kind)),
            };
            LogImported(kind, file, outcome.Imported, outcome.Skipped);
            return outcome;
        }
        finally
        {
            _one.Release();
        }
    }

    private ImportOutcome ImportProjects(CsvImporter importer, Stream stream, string file, List<ImportError> errors, ImportDoc entry)
    {
        var owners = registry.AllProjects().ToDictionary(p => p.WageAccountHash, p => p.Id, StringComparer.Ordinal);
        var projects = new List<Project>();
        foreach (var project in importer.ReadProjects(stream, file, errors))
        {
            // A wage account belongs to one project, across files too.
            if (owners.TryGetValue(project.WageAccountHash, out var owner) && owner != project.ProjectId)
            {
                errors.Add(new ImportError(file, 0, "wage_account", $"of project '{project.ProjectId}' is already the wage account of project '{owner}'"));
                continue;
            }

            projects.Add(project);
        }

        registry.UpsertProjects(projects);
        var id = Record(entry, projects.Count, errors, []);
        live.RegistryChanged(projects.Select(p => p.ProjectId), []);
        return new ImportOutcome(id, projects.Count, SkippedRows(errors), errors, null);
    }

    private ImportOutcome ImportRoster(CsvImporter importer, Stream stream, string file, List<ImportError> errors, ImportDoc entry)
    {
        var projects = registry.AllProjects().ToDictionary(p => p.Id, p => p.ToProject(), StringComparer.Ordinal);
        var known = registry.AllWorkers();
        var idOfWorker = known.GroupBy(w => w.WorkerId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().IdNumberHash, StringComparer.Ordinal);
        var workerOfId = known.GroupBy(w => w.IdNumberHash, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().WorkerId, StringComparer.Ordinal);
        var roster = new List<RosterEntry>();
        foreach (var entryRow in importer.ReadRoster(stream, file, projects, errors))
        {
            // A worker id keeps one ID number across files too, and an ID number one worker id.
            if (idOfWorker.TryGetValue(entryRow.WorkerId, out var idHash) && idHash != entryRow.IdNumberHash)
            {
                errors.Add(new ImportError(file, 0, "id_number", $"of worker '{entryRow.WorkerId}' differs from the ID number registered for them"));
                continue;
            }

            if (workerOfId.TryGetValue(entryRow.IdNumberHash, out var owner) && owner != entryRow.WorkerId)
            {
                errors.Add(new ImportError(file, 0, "id_number", $"of worker '{entryRow.WorkerId}' is already registered to worker '{owner}'"));
                continue;
            }

            roster.Add(entryRow);
        }

        registry.UpsertWorkers(roster);
        var id = Record(entry, roster.Count, errors, []);
        live.RegistryChanged([], roster.Select(e => e.WorkerId));
        return new ImportOutcome(id, roster.Count, SkippedRows(errors), errors, null);
    }

    private ImportOutcome ImportPayouts(CsvImporter importer, Stream stream, string file, List<ImportError> errors, ImportDoc entry)
    {
        var payouts = importer.ReadPayouts(stream, file, errors, registry.HasPayout).ToList();
        var id = Record(entry, payouts.Count, errors, payouts);
        live.AddPayouts(payouts);
        return new ImportOutcome(id, payouts.Count, SkippedRows(errors), errors, null);
    }

    private long Record(ImportDoc entry, int imported, List<ImportError> errors, IReadOnlyCollection<Payout> payouts) =>
        registry.RecordImport(entry with
        {
            Imported = imported,
            Skipped = SkippedRows(errors),
            ErrorCount = errors.Count,
            Errors = [.. errors.Select(e => new ImportErrorDoc { Line = e.Line, Column = e.Column, Reason = e.Reason })],
        }, payouts);

    // A row can have several errors; rows checked against the registry after reading have line 0 and count once each.
    private static int SkippedRows(List<ImportError> errors) =>
        errors.Where(e => e.Line > 0).Select(e => e.Line).Distinct().Count() + errors.Count(e => e.Line == 0);

    public void Dispose() => _one.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Imported {Kind} file {File}: {Imported} row(s), {Skipped} skipped")]
    private partial void LogImported(string kind, string file, int imported, int skipped);

    [LoggerMessage(Level = LogLevel.Information, Message = "The {Kind} file {File} was imported before (import {Earlier}); nothing imported")]
    private partial void LogDuplicate(string kind, string file, long earlier);
}
