using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SiteHub.Hub.Imports;
using SiteHub.Hub.Registry;
using SiteHub.Platform.Web;

namespace SiteHub.Hub.WebUi.Pages;

/// <summary>Upload of projects, roster and payouts CSV (officers and admins), the row errors, and the history of imports.</summary>
[RequestSizeLimit(ImportsFeature.MaxFileBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = ImportsFeature.MaxFileBytes)]
public sealed class ImportsModel(ImportService imports, RegistryStore registry, WebUserStore users) : PageModel
{
    public IReadOnlyList<ImportDoc> History { get; private set; } = [];

    public ImportOutcome? Outcome { get; private set; }

    public string? Problem { get; private set; }

    public bool CanAct => UiRoles.CanAct(User);

    public void OnGet() => History = registry.RecentImports(100);

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
