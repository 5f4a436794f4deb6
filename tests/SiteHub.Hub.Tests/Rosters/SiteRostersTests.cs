using SiteHub.Hub.Registry;
using SiteHub.Hub.Rosters;

namespace SiteHub.Hub.Tests.Rosters;

public sealed class SiteRostersTests
{
    private static readonly DateOnly Today = new(2026, 11, 26);

    private static WorkerDoc Worker(string id, string project, string start = "2026-01-01", string? end = null) =>
        new() { Id = WorkerDoc.KeyOf(id, project), WorkerId = id, ProjectId = project, Name = "工人" + id, StartDate = start, EndDate = end };

    [Fact]
    public void A_site_roster_holds_the_workers_employed_today_on_every_project_at_that_site()
    {
        ProjectDoc[] projects = [new() { Id = "P1", SiteIds = ["S1"] }, new() { Id = "P2", SiteIds = ["S1", "S2"] }];
        WorkerDoc[] workers =
        [
            Worker("W1", "P1"),
            Worker("W2", "P2"),
            Worker("W2", "P1"),                       // on two projects at S1: once
            Worker("W3", "P1", end: "2026-11-25"),    // left yesterday
            Worker("W4", "P2", start: "2026-11-27"),  // starts tomorrow
        ];

        var rosters = SiteRosters.Build(projects, workers, Today);

        Assert.Equal(["W1", "W2"], rosters["S1"].Workers.Select(w => w.Id));
        Assert.Equal(["W2"], rosters["S2"].Workers.Select(w => w.Id));
        Assert.Equal("工人W1", rosters["S1"].Workers[0].Name);
    }

    [Fact]
    public void The_version_changes_with_the_content_and_only_then()
    {
        ProjectDoc[] projects = [new() { Id = "P1", SiteIds = ["S1"] }];
        var before = SiteRosters.Build(projects, [Worker("W1", "P1")], Today)["S1"].Version;

        Assert.Equal(before, SiteRosters.Build(projects, [Worker("W1", "P1")], Today)["S1"].Version);
        Assert.NotEqual(before, SiteRosters.Build(projects, [Worker("W1", "P1"), Worker("W2", "P1")], Today)["S1"].Version);
        Assert.NotEqual(before, SiteRosters.Build(projects, [Worker("W1", "P1", end: "2026-11-01")], Today)["S1"].Version);
    }
}
