using SiteHub.Hub.Alerts;
using SiteHub.Hub.Credit;
using SiteHub.Hub.Registry;

namespace SiteHub.Hub.Tests.WebUi;

public sealed class ContractorLinksTests
{
    private static readonly ContractorLinks Links = ContractorLinks.From(
        [new ProjectDoc { Id = "P1", Contractor = "总包A" }, new ProjectDoc { Id = "P2", Contractor = "总包B" }],
        [new WorkerDoc { Id = "w1|P1", WorkerId = "w1", ProjectId = "P1", Employer = "劳务C" }, new WorkerDoc { Id = "w1|P2", WorkerId = "w1", ProjectId = "P2", Employer = "总包B" }]);

    [Fact]
    public void An_alert_counts_against_the_projects_contractor_and_the_workers_employer_there()
    {
        Assert.Equal(["总包A", "劳务C"], Links.Of("P1", "w1"));
        Assert.Equal(["总包B"], Links.Of("P2", "w1"));
        Assert.Equal(["总包A"], Links.Of("P1", null));
        Assert.Empty(Links.Of(null, "w1"));
    }

    [Fact]
    public void The_filter_matches_by_either_link()
    {
        var alert = new AlertDoc { ProjectId = "P1", WorkerId = "w1" };

        Assert.True(Links.Counts(alert, "劳务C"));
        Assert.True(Links.Counts(alert, "总包A"));
        Assert.False(Links.Counts(alert, "总包B"));
    }
}
