using SiteHub.Hub;
using SiteHub.Hub.Reconciliation;
using SiteHub.Platform.Hosting;

// The bulk reconciliation is a command, not a server: it must not start the web host.
if (args is ["reconcile", ..])
{
    return await ReconcileCommand.InvokeAsync(args);
}

if (args is ["healthcheck", ..])
{
    return await HealthProbe.RunAsync(args);
}

var app = HubApp.Build(args);
await app.RunAsync();
return 0;
