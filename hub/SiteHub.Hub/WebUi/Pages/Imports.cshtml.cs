using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SiteHub.Hub.Imports;
using SiteHub.Hub.Registry;
using SiteHub.Hub.WebUi.Exports;
using SiteHub.Platform.Web;

namespace SiteHub.Hub.WebUi.Pages;

/// <summary>
/// Upload of projects, roster and payouts CSV (officers and admins), the row errors, and the
/// history of imports; the history and an import's stored row errors download as CSV.
/// </summary>
[RequestSizeLimit(ImportsFeature.MaxFileBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = ImportsFeature.MaxFileBytes)]
public sealed class ImportsModel(ImportService imports, RegistryStore registry, WebUserStore users) : PageModel
{
    public static readonly IReadOnlyList<CsvColumn<ImportDoc>> HistoryColumns =
    [
        new("import_id", i => CsvExport.Number(i.Id)),
        new("kind", i => i.Kind),
        new("file", i => NumberScrubber.Scrub(i.File)),
        new("at", i => CsvExport.Time(i.At)),
        new("user", i => i.User),
        new("imported", i => CsvExport.Number(i.Imported)),
        new("skipped", i => CsvExport.Number(i.Skipped)),
        new("errors", i => CsvExport.Number(i.ErrorCount)),
        new("duplicate_of", i => CsvExport.Number(i.DuplicateOf)),
    ];

    public static readonly IReadOnlyList<CsvColumn<(string File, ImportErrorDoc Error)>> ErrorColumns =
    [
        new("file", e => NumberScrubber.Scrub(e.File)),
        new("line", e => CsvExport.Number(e.Error.Line)),
        new("column", e => e.Error.Column),
        new("reason", e => NumberScrubber.Scrub(e.Error.Reason)),
    ];

    public IReadOnlyList<ImportDoc> History { get; private set; } = [];

    public ImportOutcome? Outcome { get; private set; }

    public string? Problem { get; private set; }

    public bool CanAct => UiRoles.CanAct(User);

    public void OnGet() => History = registry.RecentImports(100);

    /// <summary>The history (<c>table=history</c>) or the stored row errors of import <paramref name="id"/> (<c>table=errors</c>) as CSV.</summary>
    public IActionResult OnGetCsv(string? table, long? id)
    {
        if (table == "history")
        {
            return CsvExport.File("imports", registry.RecentImports(RegistryStore.MaxStoredErrors), HistoryColumns);
        }

        if (table == "errors" && id is { } importId && registry.FindImport(importId) is { } import)
        {
            return CsvExport.File($"import-{importId}-errors", import.Errors.Select(e => (import.File, e)), ErrorColumns);
        }

        return NotFound();
    }

    public async Task<IActionResult> OnPostAsync(string? kind, IFormFile? file, CancellationToken cancellationToken)
    {
        if (!CanAct)
        {
            return StatusCode(StatusCodes.Status403Forbidden);
        }

        if (kind is null || !ImportKinds.IsKnown(kind) || file is null || file.Length == 0)
        {
            Problem = "projects / roster / payouts + CSV";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            History = registry.RecentImports(100);
            return Page();
        }

        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, cancellationToken);
        var name = ApiInput.FileName(Path.GetFileName(file.FileName), kind + ".csv");
        try
        {
            Outcome = await imports.ImportAsync(kind, name, buffer.ToArray(), null, HttpContext.UserName(), cancellationToken);
            users.Record(HttpContext.UserName(), "import", $"{kind} {name}: {Outcome.Imported} imported, {Outcome.Skipped} skipped (import {Outcome.ImportId})", HttpContext.Remote());
        }
        catch (CsvFileException ex)
        {
            Problem = ex.Message;
            users.Record(HttpContext.UserName(), "import-refused", $"{kind} {name}: {ex.Message}", HttpContext.Remote());
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        History = registry.RecentImports(100);
        return Page();
    }
}
