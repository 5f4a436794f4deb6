using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SiteHub.Hub.Credit;
using SiteHub.Hub.Registry;

namespace SiteHub.Hub.Tests.Credit;

/// <summary>The settings of the registry, alerts and credit: defaults, overrides, and a bad value stopping start-up by its name.</summary>
public sealed class LiveConfigurationTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Configured_credit_weights_replace_only_their_type_and_a_configured_hash_key_wins()
    {
        await using var hub = await InProcessHub.StartAsync(Token, "--Credit:Weights:UNPAID=25", "--Credit:Window=30.00:00:00", "--Registry:HashKey=a-configured-key-of-some-length");

        var credit = hub.App.Services.GetRequiredService<IOptions<CreditOptions>>().Value;

        Assert.Equal((25, 6, TimeSpan.FromDays(30)), (credit.Weights["UNPAID"], credit.Weights["UNDERPAID"], credit.Window));
        Assert.Equal("a-configured-key-of-some-length", hub.App.Services.GetRequiredService<IOptions<RegistryOptions>>().Value.HashKey);
        Assert.False(File.Exists(Path.Combine(hub.DataPath, HashKeyFile.FileName)));
    }

    [Theory]
    [InlineData("--Credit:GradeA=10", "Credit:GradeA")]
    [InlineData("--Credit:Weights:NOT_A_TYPE=3", "Credit:Weights")]
    [InlineData("--Registry:HashKey=short", "Registry:HashKey")]
    [InlineData("--Alerts:TickInterval=00:00:00", "Alerts:TickInterval")]
    [InlineData("--Alerts:GatewayOfflineAfter=00:00:01", "Alerts:GatewayOfflineAfter")]
    [InlineData("--Alerts:DeviceOfflineAfter=8.00:00:00", "Alerts:DeviceOfflineAfter")]
    [InlineData("--Reconciliation:DefaultTimeZone=Mars/Olympus", "Reconciliation:DefaultTimeZone")]
    [InlineData("--Imports:Encoding=latin1", "Imports:Encoding")]
    public async Task A_bad_setting_stops_start_up_with_its_name(string argument, string setting)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () => await (await InProcessHub.StartAsync(Token, argument)).DisposeAsync());

        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }
}
