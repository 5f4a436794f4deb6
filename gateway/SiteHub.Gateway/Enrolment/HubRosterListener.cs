using SiteHub.Gateway.Commands;
using SiteHub.Gateway.Uplink;
using SiteHub.Protocols.Uplink;

namespace SiteHub.Gateway.Enrolment;

/// <summary>
/// Takes the roster the hub publishes for this site (retained, so it also arrives after every
/// reconnect) as the site's roster, and wakes the enrolment so the terminals converge on it. An
/// entry a terminal could not take (bad id or name) is skipped and logged, not the whole roster.
/// </summary>
public sealed partial class HubRosterListener(UplinkService uplink, RosterStore store, EnrolmentReconciler reconciler, ILogger<HubRosterListener> logger) : IHostedService
{
    private string? _appliedVersion;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        uplink.RosterReceived += Apply;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        uplink.RosterReceived -= Apply;
        return Task.CompletedTask;
    }

    private void Apply(SiteRoster roster)
    {
        if (roster.Version == _appliedVersion)
        {
            return;
        }

        var workers = new List<RosterWorker>();
        foreach (var worker in roster.Workers ?? [])
        {
            var args = new Dictionary<string, string>(StringComparer.Ordinal) { ["person"] = worker.Id ?? "", ["name"] = worker.Name ?? "" };
            if (CommandOps.Problem(CommandOps.UpsertPerson, args) is { } problem)
            {
                LogSkipped(worker.Id ?? "(none)", problem);
                continue;
            }

            workers.Add(new RosterWorker(worker.Id!, worker.Name!.Trim()));
        }

        store.ReplaceRoster(workers);
        _appliedVersion = roster.Version;
        reconciler.Wake();
        LogApplied(roster.Version, workers.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied the hub's roster version {Version}: {Workers} workers")]
    private partial void LogApplied(string version, int workers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped roster entry {WorkerId} from the hub: {Problem}")]
    private partial void LogSkipped(string workerId, string problem);
}
