using SiteHub.Platform.Web;

namespace SiteHub.Gateway.WebUi.Pages;

/// <summary>The audit log: logins and every change, with user and time.</summary>
public static class AuditPage
{
    /// <param name="frame">The request's text, language, user and token.</param>
    /// <param name="entries">The newest lines first.</param>
    public static string Render(PageFrame frame, IReadOnlyList<AuditEntry> entries) =>
        Layout.Render(frame, frame.Text["Audit"].Value, "audit", $"""
            <section class="card wide">
                <h1>{frame.T("Audit")}</h1>
                <div class="scroll">
                <table id="audit">
                    <thead><tr><th>{frame.T("Time")}</th><th>{frame.T("User")}</th><th>{frame.T("Action")}</th><th>{frame.T("Detail")}</th><th>{frame.T("Address")}</th></tr></thead>
                    <tbody>
            {Html.Each(entries, a => $"""
                        <tr><td>{Html.Time(a.At)}</td><td>{Html.E(a.User)}</td><td>{Html.E(a.Action)}</td><td>{Html.E(a.Detail)}</td><td>{Html.E(a.Remote)}</td></tr>
            """)}
                    </tbody>
                </table>
                </div>
            </section>
            """);

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPage("/audit", context => PageEndpoints.HtmlAsync(context, Render(
            PageEndpoints.Frame(context), context.RequestServices.GetRequiredService<WebUserStore>().Audit(500))));
}
