namespace SiteHub.Platform.Hosting;

/// <summary>
/// <c>healthcheck [url]</c>: asks a running instance's <c>/health</c> and exits 0 when it answers
/// 200. Container images run this as their HEALTHCHECK, so they need no curl or shell.
/// </summary>
public static class HealthProbe
{
    /// <summary>The URL asked when none is given: <c>SITEHUB_HEALTH_URL</c>, else port 8080 on loopback.</summary>
    public static string DefaultUrl => Environment.GetEnvironmentVariable("SITEHUB_HEALTH_URL") ?? "http://127.0.0.1:8080/health";

    /// <remarks>
    /// Not inlined: compiled into a caller's <c>Main</c>, its HTTP client would load System.Net.Http
    /// (~1.5 MiB resident) into every run of the service, not only into the probe's.
    /// </remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static async Task<int> RunAsync(string[] args)
    {
        var url = args.Length > 1 ? args[1] : DefaultUrl;
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            using var response = await http.GetAsync(new Uri(url));
            await Console.Out.WriteLineAsync($"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            await Console.Error.WriteLineAsync($"{url}: {ex.Message}");
            return 1;
        }
    }
}
