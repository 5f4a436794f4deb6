using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.Extensions.Localization;

namespace SiteHub.Gateway.WebUi.Pages;

/// <summary>
/// What every page needs besides its own data (pure): the UI text, the language, who is signed in,
/// the path to come back to after switching the language, and the antiforgery token its forms carry.
/// </summary>
/// <param name="Text">The UI text in the request's language (<c>UiText.resx</c>, <c>UiText.en.resx</c>).</param>
/// <param name="English">Whether the page is in English (else Chinese, the default).</param>
/// <param name="UserName">The signed-in user, or null before login.</param>
/// <param name="ReturnPath">This page's path and query (where the language switch comes back to).</param>
/// <param name="TokenField">The antiforgery form field's name.</param>
/// <param name="Token">The antiforgery request token.</param>
public sealed record PageFrame(IStringLocalizer Text, bool English, string? UserName, string ReturnPath, string TokenField, string Token)
{
    /// <summary>A UI text, HTML-encoded.</summary>
    public string T(string key) => Html.E(Text[key].Value);

    /// <summary>The hidden field that carries the antiforgery token in every POST form.</summary>
    public string AntiforgeryField => $"""<input name="{Html.E(TokenField)}" type="hidden" value="{Html.E(Token)}" />""";
}

/// <summary>
/// How the gateway's pages write HTML: raw string literals, every value from a user or a device
/// through <see cref="E(string?)"/>. The gateway renders without Razor Pages/MVC: those assemblies,
/// their JIT'd code and their metadata were ~12 MiB of its resident memory at 1,000 punches/s,
/// against a budget of 114.4 MiB (BENCHMARKS.md "Gateway memory").
/// </summary>
public static class Html
{
    // Chinese text stays readable in the HTML source (as Razor wrote it); markup characters are still encoded.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>Encodes text for an element's content or a quoted attribute value; null is empty.</summary>
    public static string E(string? text) => string.IsNullOrEmpty(text) ? "" : Encoder.Encode(text);

    /// <summary>A time as a <c>&lt;time&gt;</c> the page's script shows in the browser's time zone (UTC until it does).</summary>
    public static string Time(DateTimeOffset at) =>
        $"""<time data-time="{at.ToString("o", CultureInfo.InvariantCulture)}">{at.ToString("u", CultureInfo.InvariantCulture)}</time>""";

    /// <summary>The HTML of each item, one after another.</summary>
    public static string Each<T>(IEnumerable<T> items, Func<T, string> html) => string.Concat(items.Select(html));

    /// <summary>An attribute with its value encoded, left out when the value is null (as Razor did).</summary>
    public static string Attr(string name, string? value) => value is null ? "" : $" {name}=\"{E(value)}\"";

    /// <summary>A boolean attribute (<c>selected</c>, <c>open</c>): present when on.</summary>
    public static string Flag(string name, bool on) => on ? $" {name}=\"{name}\"" : "";

    /// <summary><c>&lt;option&gt;</c>s of <paramref name="values"/>, the one equal to <paramref name="selected"/> selected.</summary>
    public static string Options(IEnumerable<string> values, string? selected = null) =>
        Each(values, v => $"""<option value="{E(v)}"{Flag("selected", v == selected)}>{E(v)}</option>""");

    /// <summary>The list of what was wrong with a form, or nothing.</summary>
    public static string Errors(IReadOnlyList<string> errors) =>
        errors.Count == 0 ? "" : $"""<ul class="error">{Each(errors, e => $"<li>{E(e)}</li>")}</ul>""";
}
