using System.Net;
using System.Text.RegularExpressions;

namespace SiteHub.Testing;

/// <summary>A form of a web UI to fuzz: the page that carries its antiforgery token, where it posts, its fields.</summary>
/// <param name="Page">GET for the token (and the cookie that goes with it).</param>
/// <param name="Action">The POST target (with its <c>?handler=</c>).</param>
/// <param name="Fields">The form's field names.</param>
/// <param name="Multipart">Posted as <c>multipart/form-data</c> (file uploads); the field <c>file</c> gets random bytes.</param>
/// <param name="Likely">Plausible values of some fields, used half the time, so the fuzz also gets past the first check.</param>
public sealed record UiForm(string Page, string Action, IReadOnlyList<string> Fields, bool Multipart = false, IReadOnlyDictionary<string, string[]>? Likely = null);

/// <summary>
/// Posts bad values into a web UI's forms and bad query strings into its pages, signed in through
/// the login form like a browser (cookie, antiforgery token). Properties: never a 5xx; a redirect
/// never leaves the site (no open redirect through <c>returnUrl</c>).
/// </summary>
public sealed partial class FormFuzzer : IDisposable
{
    private readonly HttpClient _http;
    private readonly BadInput _input;
    private readonly FuzzTally _tally;

    public FormFuzzer(Uri baseAddress, BadInput input, FuzzTally tally)
    {
        _http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = baseAddress };
        _input = input;
        _tally = tally;
    }

    /// <summary>Signs in through the login form; fails when the form does not let the user in.</summary>
    public async Task LoginAsync(string user, string password, CancellationToken cancellationToken)
    {
        var token = await TokenAsync("/login", cancellationToken);
        using var response = await _http.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["user"] = user,
            ["password"] = password,
            ["__RequestVerificationToken"] = token ?? "",
        }), cancellationToken);
        if (response.StatusCode != HttpStatusCode.Redirect && response.StatusCode != HttpStatusCode.Found)
        {
            throw new InvalidOperationException($"login failed: {(int)response.StatusCode}");
        }
    }

    /// <summary>Posts one form with exactly <paramref name="fields"/> (and the page's antiforgery token); returns the status.</summary>
    public async Task<HttpStatusCode> PostFormAsync(string page, string action, Dictionary<string, string> fields, CancellationToken cancellationToken)
    {
        fields["__RequestVerificationToken"] = await TokenAsync(page, cancellationToken) ?? "";
        using var content = new FormUrlEncodedContent(fields);
        using var response = await _http.PostAsync(action, content, cancellationToken);
        return response.StatusCode;
    }

    /// <summary>Posts <paramref name="count"/> fuzzed submissions of <paramref name="form"/>.</summary>
    public async Task PostAsync(UiForm form, int count, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            // Now and then the token is left out or wrong: antiforgery must refuse that with a 400, not a 500.
            var token = await TokenAsync(form.Page, cancellationToken);
            var tokenValue = _input.Random.Next(15) switch { 0 => null, 1 => _input.String(), _ => token };
            var values = form.Fields.Where(_ => _input.Random.Next(6) > 0).ToDictionary(
                f => f,
                f => form.Likely?.GetValueOrDefault(f) is { } likely && _input.Random.Next(2) == 0 ? _input.Pick(likely) : _input.String());
            if (_input.Random.Next(6) == 0)
            {
                values[_input.String() is { Length: > 0 } extra ? extra : "extra"] = _input.String();
            }

            HttpContent content;
            if (form.Multipart)
            {
                var multipart = new MultipartFormDataContent();
                foreach (var (name, value) in values.Where(v => v.Key != "file"))
                {
                    // HttpClient refuses part names it cannot put in a header: send them escaped.
                    multipart.Add(new StringContent(value), Uri.EscapeDataString(name));
                }

                if (values.ContainsKey("file"))
                {
                    multipart.Add(new ByteArrayContent(_input.Random.Next(2) == 0 ? _input.Bytes(3000) : System.Text.Encoding.UTF8.GetBytes(_input.String())), "file", Uri.EscapeDataString(_input.String()) is { Length: > 0 } name ? name : "f.csv");
                }

                if (tokenValue is not null)
                {
                    multipart.Add(new StringContent(tokenValue), "__RequestVerificationToken");
                }

                content = multipart;
            }
            else
            {
                if (tokenValue is not null)
                {
                    values["__RequestVerificationToken"] = tokenValue;
                }

                content = new FormUrlEncodedContent(values);
            }

            using (content)
            {
                await CheckAsync("POST", form.Action, content, $"{form.Action} {string.Join("&", values.Select(v => v.Key + "=" + Clip(v.Value)))}", cancellationToken);
            }
        }
    }

    /// <summary>GETs <paramref name="count"/> fuzzed variants of pages: <c>{0}</c> in a path takes a path segment, each query name a value.</summary>
    public async Task GetAsync(IReadOnlyList<(string Path, string[] Query)> pages, int count, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            var (path, query) = _input.Pick(pages);
            var url = path.Replace("{0}", _input.PathSegment(), StringComparison.Ordinal) + "?" + string.Join("&", query.Where(_ => _input.Random.Next(3) > 0).Select(q => q + "=" + (q == "handler" && _input.Random.Next(2) == 0 ? "Csv" : _input.QueryValue())));
            await CheckAsync("GET", url, null, url, cancellationToken);
        }
    }

    private async Task CheckAsync(string method, string url, HttpContent? content, string what, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = content };
        using var response = await _http.SendAsync(request, cancellationToken);
        _tally.Count(response.StatusCode);
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            _tally.Fail($"seed {_input.Seed}: {method} {Clip(what)} → {status} {Clip(await response.Content.ReadAsStringAsync(cancellationToken))}");
        }

        if (status is >= 300 and < 400 && response.Headers.Location is { } location
            && (location.IsAbsoluteUri ? location.Host != _http.BaseAddress!.Host : location.OriginalString.StartsWith("//", StringComparison.Ordinal) || location.OriginalString.StartsWith("/\\", StringComparison.Ordinal)))
        {
            _tally.Fail($"seed {_input.Seed}: {method} {Clip(what)} → redirect off the site to {location}");
        }
    }

    private async Task<string?> TokenAsync(string page, CancellationToken cancellationToken)
    {
        var html = await _http.GetStringAsync(page, cancellationToken);
        var match = TokenInput().Match(html);
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : null;
    }

    private static string Clip(string text) => text.Length <= 200 ? text : text[..200] + "…";

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenInput();
}
