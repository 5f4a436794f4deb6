using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using LiteDB;
using SiteHub.Gateway.Devices;
using SiteHub.Platform.Storage;
using SiteHub.Protocols.Punches;
using SiteHub.Testing;

namespace SiteHub.Gateway.Tests;

/// <summary>
/// An upgrade as a site box sees it: files an earlier gateway wrote with ICU's case-insensitive
/// order, opened by the built gateway in its own process, which runs without ICU.
/// </summary>
public sealed class GatewayUpgradeProcessTests
{
    private const string AdminPassword = "upgrade-admin-pw";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Files_ordered_by_a_culture_are_rebuilt_at_start_and_their_devices_found_ignoring_case()
    {
        using var folder = new TempFolder("gateway-upgrade");
        var registry = Path.Combine(folder.Path, "registry.db");
        var serials = new[] { "SN1", "SN10", "SN_1", "SNA", "sn2" }; // ICU and ordinal order these differently
        using (var db = DurableLiteDatabase.Open(registry, collation: new Collation("en-US/IgnoreCase")))
        {
            var devices = db.Database.GetCollection("devices");
            foreach (var sn in serials)
            {
                devices.Insert(db.Database.Mapper.ToDocument(new DeviceRecord { Sn = sn, Protocol = "zk-adms", Direction = Direction.In, CreatedAt = DateTimeOffset.UtcNow }));
            }
        }

        await CheckRebuiltByTheGatewayProcessAsync(folder.Path, serials);

        // The file now compares ordinally ignoring case: every key found through its index, in any case.
        using var rebuilt = DurableLiteDatabase.Open(registry);
        Assert.True(CaseInsensitiveKeys.IsCaseInsensitiveOrdinal(rebuilt));
        Assert.All(serials, sn => Assert.NotNull(rebuilt.Database.GetCollection("devices").FindById(sn.ToLowerInvariant())));
    }

    private static async Task CheckRebuiltByTheGatewayProcessAsync(string dataPath, string[] serials)
    {
        var (gateway, address) = await GatewayProcess.StartAsync(dataPath, AdminPassword, Token);
        await using var _ = gateway;
        using var api = new HttpClient { BaseAddress = address };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + AdminPassword)));

        foreach (var sn in serials)
        {
            using var found = await api.GetAsync($"/api/devices/{sn}", Token);
            Assert.True(found.StatusCode == HttpStatusCode.OK, $"{sn}: {(int)found.StatusCode}\n{gateway.Output}");
        }

        Assert.Contains("Rebuilt", gateway.Output, StringComparison.Ordinal);
        var mapped = await File.ReadAllTextAsync($"/proc/{gateway.Id.ToString(CultureInfo.InvariantCulture)}/maps", Token);
        Assert.DoesNotContain("libicu", mapped, StringComparison.Ordinal);
    }
}
