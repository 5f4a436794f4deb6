using SiteHub.Gateway.Commands;
using SiteHub.Gateway.Devices;
using SiteHub.Protocols.HikIsapi;
using SiteHub.Protocols.SiteHubV1;
using SiteHub.Protocols.ZkAdms;

namespace SiteHub.Gateway.Enrolment;

/// <summary>The <c>Enrolment</c> section.</summary>
public sealed class EnrolmentOptions
{
    public const string Section = "Enrolment";

    /// <summary>How often every terminal is compared with the roster, besides after each change. Default 5 s.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Converges every terminal's enrolled people on the site roster: after a roster change, after
/// each command result, and on a timer, it diffs the roster against what each terminal confirmed
/// and queues the upserts and deletes (<see cref="EnrolmentPlan"/>). A terminal that is offline
/// keeps its commands queued and converges when it is back. On failure: logged, retried next round.
/// </summary>
public sealed partial class EnrolmentReconciler(
    RosterStore roster,
    CommandQueue queue,
    DeviceRegistry registry,
    Microsoft.Extensions.Options.IOptions<EnrolmentOptions> options,
    ILogger<EnrolmentReconciler> logger) : BackgroundService
{
    private static readonly HashSet<string> TerminalProtocols = new(StringComparer.Ordinal)
    {
        SiteHubV1Codec.ProtocolId, ZkAttlog.ProtocolId, HikIsapiCodec.ProtocolId,
    };

    private readonly SemaphoreSlim _wake = new(0);
    private readonly Lock _reconcileLock = new();

    /// <summary>Asks for a round now (after a roster change).</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>Queues what every terminal needs; returns how many commands were queued.</summary>
    public int ReconcileAll()
    {
        lock (_reconcileLock)
        {
            var workers = roster.Roster();
            var queued = 0;
            foreach (var device in registry.All.Where(d => TerminalProtocols.Contains(d.Protocol)))
            {
                foreach (var step in EnrolmentPlan.Diff(workers, roster.Enrolled(device.Sn), queue.Open(device.Sn)))
                {
                    var args = new Dictionary<string, string>(StringComparer.Ordinal) { ["person"] = step.Person };
                    if (step.Name is not null)
                    {
                        args["name"] = step.Name;
                    }

                    queue.Enqueue(device.Sn, step.Op, args, "enrolment");
                    queued++;
                }
            }

            return queued;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        queue.Completed += OnCompleted;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    ReconcileAll();
                }
                catch (Exception ex)
                {
                    LogFailed(ex);
                }

                await _wake.WaitAsync(options.Value.Interval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            queue.Completed -= OnCompleted;
        }
    }

    private void OnCompleted(DeviceCommandRecord command)
    {
        if (command.State == CommandState.Done && command.Args.TryGetValue("person", out var person))
        {
            if (command.Op == CommandOps.UpsertPerson)
            {
                roster.SetEnrolled(command.Sn, person, command.Args.GetValueOrDefault("name") ?? "");
            }
            else if (command.Op == CommandOps.DeletePerson)
            {
                roster.SetEnrolled(command.Sn, person, null);
            }
        }

        Wake();
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Enrolment round failed; trying again next round")]
    private partial void LogFailed(Exception ex);
}
