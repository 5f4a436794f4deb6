using SiteHub.Gateway;
using SiteHub.Gateway.Decode;

// The decode tool runs without the web host: no config, no data folder, no ports.
if (args.Length > 0 && args[0] == "decode")
{
    return await DecodeCommand.RunAsync(args[1..]);
}

var app = GatewayApp.Build(args);
await app.RunAsync();
return 0;
