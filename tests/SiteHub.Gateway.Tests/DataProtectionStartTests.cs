using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SiteHub.Gateway.WebUi;

namespace SiteHub.Gateway.Tests;

public sealed class DataProtectionStartTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public void The_eager_key_ring_load_that_AddDataProtection_registers_is_the_one_removed()
    {
        // If ASP.NET Core renames or drops its hosted service, this fails and the removal (and its
        // memory figure in BENCHMARKS.md) needs a look.
        var services = new ServiceCollection();
        services.AddDataProtection();

        Assert.Equal(1, services.LoadDataProtectionKeysOnFirstUse());
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IHostedService));
    }

    [Fact]
    public async Task The_gateway_starts_without_loading_keys_and_still_protects_cookies()
    {
        await using var gateway = await InProcessGateway.StartAsync(Token);

        Assert.DoesNotContain(gateway.App.Services.GetServices<IHostedService>(), s => s.GetType().Name == "DataProtectionHostedService");
        var protector = gateway.App.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test");
        Assert.Equal("login", protector.Unprotect(protector.Protect("login")));
    }
}
