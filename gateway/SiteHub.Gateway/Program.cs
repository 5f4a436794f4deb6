using SiteHub.Gateway;
using SiteHub.Platform.Hosting;

if (args is ["healthcheck", ..])
{
    return await HealthProbe.RunAsync(args);
}

var app = GatewayApp.Build(args);
await app.RunAsync();
return 0;
