using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace SiteHub.Gateway;

/// <summary>Bad input to the REST API becomes a 400 with a problem body that names the field, never a 500.</summary>
public static class ApiInput
{
    /// <summary>A 400 naming <paramref name="field"/>.</summary>
    public static IResult Invalid(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    /// <summary>
    /// Reads a JSON body as the API's binding would (same serializer options), but answers a body
    /// that is not JSON, not UTF-8 (<c>charset=gbk</c> made the framework's reader throw: a 500) or of
    /// the wrong shape with a 400 naming the field, instead of an empty 400 or 415.
    /// </summary>
    public static async Task<(T? Value, IResult? Error)> ReadJsonAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentType is { Length: > 0 })
        {
            if (!request.HasJsonContentType())
            {
                return (null, Invalid("body", "must be JSON (Content-Type: application/json)"));
            }

            var charset = Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var type) ? type.Charset : default;
            if (charset.HasValue && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
            {
                return (null, Invalid("body", "must be UTF-8 JSON (Content-Type: application/json; charset=utf-8)"));
            }
        }

        var options = request.HttpContext.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, options, cancellationToken);
            return value is null ? (null, Invalid("body", "a JSON object is required")) : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, Invalid(ex.Path is { Length: > 1 } path ? path.TrimStart('$', '.') : "body", "is not valid JSON for this request" + (ex.Path is { Length: > 0 } at ? $" (at {at})" : "")));
        }
    }

    /// <summary>
    /// Parses an optional <c>limit</c> query value read as text (a bound <c>int?</c> answers
    /// <c>limit=abc</c> with an empty 400 that names nothing).
    /// </summary>
    public static bool TryLimit(string? text, int fallback, int max, out int limit, out IResult? error)
    {
        error = null;
        limit = fallback;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            limit = Math.Clamp(value, 1, max);
            return true;
        }

        error = Invalid("limit", $"must be a whole number (1-{max})");
        return false;
    }
}
