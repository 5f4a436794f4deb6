using System.Net;
using SiteHub.Testing;

namespace SiteHub.Gateway.Tests;

/// <summary>The built gateway in its own process, with its own runtime settings (no ICU, its collector), and no hub.</summary>
internal static class GatewayProcess
{
    /// <summary>Starts it on free loopback ports with its data in <paramref name="dataPath"/> and waits until it answers.</summary>
    public static async Task<(ChildProcess Process, Uri Address)> StartAsync(string dataPath, string adminPassword, CancellationToken cancellationToken)
    {
        var httpPort = TestEnvironment.FreePort();
        var address = new Uri($"http://127.0.0.1:{httpPort}");
        var gateway = ChildProcess.StartApp("gateway", "gateway/SiteHub.Gateway",
        [
            "--urls", address.ToString(),
            "--Gateway:SiteId=site-a",
            $"--Gateway:DataPath={dataPath}",
            $"--SiteBroker:Port={TestEnvironment.FreePort()}",
            "--Uplink:Host=127.0.0.1",
            $"--Uplink:Port={TestEnvironment.FreePort()}",
            "--Uplink:Password=unused-here",
            $"--Admin:Password={adminPassword}",
        ], dataPath);
        try
        {
            using var probe = new HttpClient { BaseAddress = address };
            await TestEnvironment.WaitUntilAsync(
                async () =>
                {
                    Assert.False(gateway.HasExited, "the gateway exited during start-up:\n" + gateway.Output);
                    using var health = await probe.GetAsync("/health", cancellationToken);
                    return health.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable; // 503: no hub here
                },
                TimeSpan.FromSeconds(60), "the gateway to answer", cancellationToken);
            return (gateway, address);
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }
}
