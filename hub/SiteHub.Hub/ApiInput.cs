using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace SiteHub.Hub;

/// <summary>Bad input to the API becomes a 400 with a problem body that names the field, never a 500.</summary>
public static class ApiInput
{
    /// <summary>A 400 naming <paramref name="field"/>.</summary>
    public static IResult Invalid(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    /// <summary>A 400 naming several fields.</summary>
    public static IResult Invalid(Dictionary<string, string[]> errors) => Results.ValidationProblem(errors);

    /// <summary>A 404 saying what was not found.</summary>
    public static IResult NotFound(string what) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: what);

    /// <summary>A 409 saying why the step does not apply.</summary>
    public static IResult Conflict(string why) => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: why);

    /// <summary>Reads a JSON body; on failure, the 400 to return.</summary>
    public static async Task<(T? Value, IResult? Error)> ReadJsonAsync<T>(HttpRequest request, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        if (request.HasJsonContentType() is false && request.ContentLength is > 0 && request.ContentType is not null)
        {
            return (null, Invalid("body", "must be JSON (Content-Type: application/json)"));
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync(request.Body, type, cancellationToken);
            return value is null ? (null, Invalid("body", "a JSON object is required")) : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, Invalid("body", "is not valid JSON for this request: " + (ex.Path is { Length: > 0 } path ? $"at {path}" : ex.Message)));
        }
    }

    /// <summary>The signed-in user, for histories.</summary>
    public static string UserOf(HttpContext context) => context.User.Identity?.Name ?? "unknown";

    /// <summary>Keeps characters that have no business in a file name out of it, and numbers only masked (it is echoed in errors and logs).</summary>
    public static string FileName(string? name, string fallback)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return fallback;
        }

        var clean = Registry.NumberScrubber.Scrub(new string([.. Path.GetFileName(name.Trim()).Where(c => !char.IsControl(c))]))!;
        return clean.Length is 0 or > 200 ? fallback : clean;
    }
}
