namespace SiteHub.Hub.Imports;

/// <summary>A row error in the API.</summary>
public sealed record ImportErrorJson(string File, long Line, string? Column, string Reason);

/// <summary>The answer to an import.</summary>
/// <remarks>
/// <c>DuplicateOf</c>: The earlier import of the very same file, when nothing was imported for that reason; else null.<br/>
/// </remarks>
public sealed record ImportResultJson(long ImportId, int Imported, int Skipped, IReadOnlyList<ImportErrorJson> Errors, long? DuplicateOf);

/// <summary>An entry of the import history.</summary>
public sealed record ImportJson(long Id, string Kind, string File, DateTimeOffset At, string User, int Imported, int Skipped, int ErrorCount, IReadOnlyList<ImportErrorJson> Errors, long? DuplicateOf, string Sha256);

/// <summary>CSV imports through the REST API.</summary>
public static class ImportsFeature
{
    /// <summary>Largest file the API takes (bytes).</summary>
    public const long MaxFileBytes = 256L * 1024 * 1024;

    public static IHostApplicationBuilder AddImports(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ImportOptions>().BindConfiguration(ImportOptions.Section)
            .Validate(o => IsSupported(o.Encoding), "Imports:Encoding must be auto, utf-8, gbk or gb18030")
            .Validate(o => o.DropFolderPollInterval > TimeSpan.Zero, "Imports:DropFolderPollInterval must be positive")
            .ValidateOnStart();
        builder.Services.AddSingleton<ImportService>();
        builder.Services.AddHostedService<PayoutDropFolder>();
        return builder;
    }

    public static IEndpointRouteBuilder MapImportsApi(this IEndpointRouteBuilder app)
    {
        var json = HubApiJsonContext.Api;
        app.MapPost("/api/imports/{kind}", async (string kind, string? encoding, string? file, HttpContext context, ImportService imports, CancellationToken cancellationToken) =>
        {
            if (!ImportKinds.IsKnown(kind))
            {
                return ApiInput.NotFound($"no import '{kind}': use projects, roster or payouts");
            }

            if (encoding is not null && !IsSupported(encoding))
            {
                return ApiInput.Invalid("encoding", $"'{encoding}' is not supported (auto, utf-8, gbk, gb18030)");
            }

            if (context.Request.ContentLength is > MaxFileBytes)
            {
                return ApiInput.Invalid("body", $"is larger than {MaxFileBytes} bytes");
            }

            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, cancellationToken);
            if (buffer.Length == 0)
            {
                return ApiInput.Invalid("body", "the CSV file is required as the request body (Content-Type: text/csv)");
            }

            var name = ApiInput.FileName(file, kind + ".csv");
            try
            {
                var outcome = await imports.ImportAsync(kind, name, buffer.ToArray(), encoding, ApiInput.UserOf(context), cancellationToken);
                return Results.Json(new ImportResultJson(outcome.ImportId, outcome.Imported, outcome.Skipped,
                    [.. outcome.Errors.Select(e => new ImportErrorJson(e.File, e.Line, e.Column, e.Reason))], outcome.DuplicateOf), json.ImportResultJson);
            }
            catch (CsvFileException ex)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The file cannot be imported", detail: ex.Message);
            }
        });
        app.MapGet("/api/imports", (string? limit, Registry.RegistryStore store) =>
        {
            var count = 100;
            if (limit is not null && (!int.TryParse(limit, System.Globalization.CultureInfo.InvariantCulture, out count) || count is < 1 or > 10_000))
            {
                return ApiInput.Invalid("limit", "must be 1-10000");
            }

            return Results.Json(store.RecentImports(count).Select(i => new ImportJson(i.Id, i.Kind, i.File, i.At, i.User, i.Imported, i.Skipped, i.ErrorCount,
                [.. i.Errors.Select(e => new ImportErrorJson(i.File, e.Line, e.Column, e.Reason))], i.DuplicateOf, i.Sha256)).ToList(), json.ListImportJson);
        });
        return app;
    }

    private static bool IsSupported(string encoding)
    {
        try
        {
            CsvEncodings.Declared(encoding);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
