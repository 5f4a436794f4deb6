using System.Net.Http.Json;
using System.Text.Json;
using SiteHub.Testing;

namespace SiteHub.Hub.Tests.Imports;

public sealed class PayoutDropFolderTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_payout_file_dropped_in_the_folder_is_imported_once_and_moved_with_its_row_errors()
    {
        using var drop = new TempFolder("drop");
        await using var hub = await InProcessHub.StartAsync(Token, $"--Imports:DropFolder={drop.Path}", "--Imports:DropFolderPollInterval=00:00:00.200");
        const string File1 = "txn_id,payer_account,payee_name,payee_id_number,payee_account,amount,wage_month,paid_at,status\n"
            + "T-1,6222000000000001,张三,11010519491231002X,6222000000009999,3000.00,2026-10,2026-11-10,SUCCESS\n"
            + "T-2,6222000000000001,李四,11010519491231002X,6222000000009998,abc,2026-10,2026-11-10,SUCCESS\n";
        await File.WriteAllTextAsync(Path.Combine(drop.Path, "bank-2026-10.csv"), File1, Token);

        var processed = Path.Combine(drop.Path, "processed", "bank-2026-10.csv");
        await TestEnvironment.WaitUntilAsync(() => File.Exists(processed), TimeSpan.FromSeconds(20), "the file to be imported and moved", Token);

        Assert.False(File.Exists(Path.Combine(drop.Path, "bank-2026-10.csv")));
        var errors = await File.ReadAllTextAsync(processed + ".errors.txt", Token);
        Assert.Contains("bank-2026-10.csv:3", errors, StringComparison.Ordinal);
        Assert.Contains("amount", errors, StringComparison.Ordinal);
        var history = await hub.Api.GetFromJsonAsync<JsonElement>("/api/imports", Token);
        var entry = history.EnumerateArray().Single();
        Assert.Equal("drop-folder", entry.GetProperty("user").GetString());
        Assert.Equal(1, entry.GetProperty("imported").GetInt32());

        // The same file dropped again imports nothing a second time.
        await File.WriteAllTextAsync(Path.Combine(drop.Path, "bank-2026-10.csv"), File1, Token);
        await TestEnvironment.WaitUntilAsync(() => Directory.GetFiles(Path.Combine(drop.Path, "processed"), "*.csv").Length == 2, TimeSpan.FromSeconds(20), "the second drop", Token);
        history = await hub.Api.GetFromJsonAsync<JsonElement>("/api/imports", Token);
        Assert.Equal(0, history.EnumerateArray().First().GetProperty("imported").GetInt32());
    }
}
