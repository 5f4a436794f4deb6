using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Primitives;

namespace SiteHub.Gateway.WebUi.Pages;

/// <summary>The values of a posted form as the pages read them.</summary>
/// <param name="Form">The form.</param>
/// <param name="Query">The query string (a field not in the form may come from there, as Razor Pages bound it).</param>
public sealed record FormFields(IFormCollection Form, IQueryCollection Query)
{
    /// <summary>The field's first value (names ignore case), from the form, else the query; empty is null.</summary>
    public string? this[string name] =>
        (Form.TryGetValue(name, out var posted) ? posted : Query.TryGetValue(name, out var queried) ? queried : StringValues.Empty) is { Count: > 0 } values
        && !string.IsNullOrEmpty(values[0]) ? values[0] : null;

    /// <summary>Which of a page's forms was posted (<c>?handler=add</c>, as Razor Pages named them), in lower case.</summary>
    public string Handler => Query["handler"].FirstOrDefault()?.ToLowerInvariant() ?? "";
}

/// <summary>How the pages' endpoints read a request and answer with HTML (no MVC: see <see cref="Html"/>).</summary>
public static class PageEndpoints
{
    /// <summary>What the layout needs from this request; issues the antiforgery cookie and token for the page's forms.</summary>
    public static PageFrame Frame(HttpContext context)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return new PageFrame(
            context.RequestServices.GetRequiredService<IStringLocalizer<UiText>>(),
            CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en",
            context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name ?? "" : null,
            context.Request.Path + context.Request.QueryString,
            tokens.FormFieldName,
            tokens.RequestToken ?? "");
    }

    /// <summary>Writes a page.</summary>
    public static async Task HtmlAsync(HttpContext context, string html, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(html, context.RequestAborted);
    }

    /// <summary>Answers with a status and no body (404 for an unknown device, 400 for a form that makes no sense).</summary>
    public static Task StatusAsync(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    /// <summary>Redirects (302) to a path of this site.</summary>
    public static Task RedirectAsync(HttpContext context, string path)
    {
        context.Response.Redirect(path);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Maps a page's GET (and HEAD, which Razor Pages answered too) to <paramref name="handler"/>. A
    /// plain <see cref="RequestDelegate"/>: no parameter binding to generate for a page that reads its
    /// services itself.
    /// </summary>
    public static IEndpointConventionBuilder MapPage(this IEndpointRouteBuilder app, string pattern, RequestDelegate handler) =>
        app.MapMethods(pattern, [HttpMethods.Get, HttpMethods.Head], handler);

    /// <summary>
    /// Maps the POST of a page's forms: refused with 400 unless it carries the antiforgery token of
    /// its cookie (as Razor Pages did for every POST), or when its body is not a readable form; then
    /// <paramref name="handler"/> gets the fields.
    /// </summary>
    public static IEndpointConventionBuilder MapForm(this IEndpointRouteBuilder app, string pattern, Func<HttpContext, FormFields, Task> handler) =>
        app.MapPost(pattern, (RequestDelegate)(async context =>
        {
            IFormCollection form;
            try
            {
                await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context);
                form = await context.Request.ReadFormAsync(context.RequestAborted);
            }
            // A body that is not a readable form (malformed, too large, or another content type with the
            // token in a header) is the client's error, not the server's.
            catch (Exception ex) when (ex is AntiforgeryValidationException or InvalidDataException or BadHttpRequestException or InvalidOperationException)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            await handler(context, new FormFields(form, context.Request.Query));
        }));

    /// <summary>Blank is null; else trimmed.</summary>
    public static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
