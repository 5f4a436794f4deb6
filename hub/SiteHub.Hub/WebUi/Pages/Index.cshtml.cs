using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SiteHub.Hub.WebUi.Pages;

/// <summary>The overview: every site with its headcount, gateway, devices and open alerts; live by <c>/ui/events</c>.</summary>
public sealed class IndexModel(HubLiveFeed feed) : PageModel
{
    public IReadOnlyList<SiteRow> Sites { get; private set; } = [];

    public void OnGet() => Sites = feed.Sites();
}
