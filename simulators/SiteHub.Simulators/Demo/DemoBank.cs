using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SiteHub.Hub.Reconciliation;
using SiteHub.Simulators.Bank;

namespace SiteHub.Simulators.Demo;

/// <summary>
/// The demo's registry and bank, through the hub's REST API as an operator would: the project
/// and roster of the simulated workers at start, and after the first simulated day a bank
/// payout file for the attendance the hub recorded, with anomalies planted.
/// </summary>
public sealed class DemoBank(HttpClient hubApi, string siteId, IReadOnlyList<string> workerIds, TimeProvider clock)
{
    public const string ProjectId = "demo-project";
    private const int Seed = 2026;
    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private readonly IReadOnlyList<SimulatedWorker> _workers = SiteBank.Workers(workerIds, Seed);

    private DateTimeOffset Now => TimeZoneInfo.ConvertTime(clock.GetUtcNow(), Zone);

    private YearMonth Month => YearMonth.Of(DateOnly.FromDateTime(Now.DateTime));

    /// <summary>Imports <c>projects.csv</c> and <c>roster.csv</c> (a second run of the demo imports nothing new).</summary>
    public async Task ImportRegistryAsync(CancellationToken cancellationToken)
    {
        await PostAsync("projects", "demo-projects.csv", SiteBank.ProjectsCsv(ProjectId, "示范工地一号楼", siteId, "示范建设集团"), cancellationToken);
        await PostAsync("roster", "demo-roster.csv", SiteBank.RosterCsv(_workers, ProjectId, Month.First.AddMonths(-1)), cancellationToken);
    }

    /// <summary>Imports the bank's payouts for this month's attendance so far; returns the rows imported and the anomalies planted.</summary>
    public async Task<(int Imported, int Planted)> ImportPayoutsAsync(CancellationToken cancellationToken)
    {
        var month = Month;
        var reconciliation = await hubApi.GetFromJsonAsync<JsonElement>($"/api/projects/{ProjectId}/reconciliation/{month}", cancellationToken);
        var days = reconciliation.GetProperty("workers").EnumerateArray()
            .ToDictionary(w => w.GetProperty("worker_id").GetString()!, w => w.GetProperty("days").GetInt32(), StringComparer.Ordinal);
        var now = Now;
        var (csv, expected) = SiteBank.Payouts(_workers, days, ProjectId, month, now, "DEMO" + now.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture), Seed);
        var result = await PostAsync("payouts", $"bank-{month}.csv", csv, cancellationToken);
        return (result.GetProperty("imported").GetInt32(), expected.Count);
    }

    private async Task<JsonElement> PostAsync(string kind, string file, string csv, CancellationToken cancellationToken)
    {
        using var content = new StringContent(csv, new UTF8Encoding(false));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv") { CharSet = "utf-8" };
        using var response = await hubApi.PostAsync($"/api/imports/{kind}?file={Uri.EscapeDataString(file)}", content, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(body).RootElement.Clone()
            : throw new HttpRequestException($"importing {file} failed: {(int)response.StatusCode} {body}");
    }
}
