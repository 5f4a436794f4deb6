using Microsoft.Extensions.Time.Testing;
using SiteHub.Hub.Gateways;
using SiteHub.Protocols.Uplink;

namespace SiteHub.Hub.Tests.Gateways;

public sealed class GatewayDirectoryTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);

    private static GatewayStatus Report(long backlog, DateTimeOffset at) => new("s1", true, backlog, at.AddMinutes(-3), 12, 1, "1.0", at);

    // What a gateway leaves as its last will: it is fixed at connect time, so it carries no figures.
    private static GatewayStatus Will(DateTimeOffset connectedAt) => new("s1", false, 0, null, 0, 0, "1.0", connectedAt);

    [Fact]
    public void A_gateway_cut_off_keeps_its_last_reported_backlog_and_its_silence_grows()
    {
        var clock = new FakeTimeProvider(Start);
        var directory = new GatewayDirectory(clock);
        directory.SetConnected("s1", true);
        clock.Advance(TimeSpan.FromSeconds(5));
        directory.ApplyStatus("s1", Report(4_200, clock.GetUtcNow()));
        var lastContact = clock.GetUtcNow();

        clock.Advance(TimeSpan.FromSeconds(20));
        directory.SetConnected("s1", false);
        directory.ApplyStatus("s1", Will(Start));
        clock.Advance(TimeSpan.FromMinutes(2));

        var view = directory.Find("s1")!;
        Assert.False(view.Connected);
        Assert.Equal(4_200, view.Status!.Backlog);
        Assert.Equal(12, view.Status.DevicesOnline);
        Assert.Equal(lastContact, view.LastSeen);
        Assert.Equal(TimeSpan.FromSeconds(140), view.SilentFor);
        Assert.Equal(TimeSpan.FromSeconds(140), directory.All.Single().SilentFor);
    }

    [Fact]
    public void A_report_after_reconnecting_replaces_the_last_one()
    {
        var clock = new FakeTimeProvider(Start);
        var directory = new GatewayDirectory(clock);
        directory.ApplyStatus("s1", Report(10, clock.GetUtcNow()));
        directory.ApplyStatus("s1", Will(Start));
        clock.Advance(TimeSpan.FromMinutes(5));

        directory.SetConnected("s1", true);
        directory.ApplyStatus("s1", Report(9_000, clock.GetUtcNow()));

        var view = directory.Find("s1")!;
        Assert.True(view.Connected);
        Assert.Equal(9_000, view.Status!.Backlog);
        Assert.Equal(TimeSpan.Zero, view.SilentFor);
    }

    [Fact]
    public void A_gateway_known_only_from_its_will_is_offline_and_never_seen()
    {
        var directory = new GatewayDirectory(new FakeTimeProvider(Start));

        directory.ApplyStatus("s1", Will(Start.AddDays(-1)));

        var view = directory.Find("s1")!;
        Assert.False(view.Connected);
        Assert.Null(view.LastSeen);
        Assert.Null(view.SilentFor);
        Assert.Equal(0, view.Status!.Backlog);
    }

    [Fact]
    public void Batches_count_as_contact()
    {
        var clock = new FakeTimeProvider(Start);
        var directory = new GatewayDirectory(clock);
        directory.SetConnected("s1", true);
        clock.Advance(TimeSpan.FromSeconds(30));

        directory.CountBatch("s1");
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(TimeSpan.FromSeconds(1), directory.Find("s1")!.SilentFor);
        Assert.Equal(1, directory.Find("s1")!.BatchesReceived);
    }
}
