using SiteHub.Gateway;
using SiteHub.Gateway.Decode;
using SiteHub.Platform.Hosting;

// The decode tool runs without the web host: no config, no data folder, no ports.
if (args is ["decode", ..])
{
    return await DecodeCommand.RunAsync(args[1..]);
}

if (args is ["healthcheck", ..])
{
    return await HealthProbe.RunAsync(args);
}

var app = GatewayApp.Build(args);
await app.RunAsync();
return 0;
