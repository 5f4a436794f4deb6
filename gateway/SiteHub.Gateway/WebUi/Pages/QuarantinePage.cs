using System.Globalization;
using System.Text;
using Microsoft.Extensions.Localization;
using SiteHub.Gateway.Outbox;
using SiteHub.Platform.Web;

namespace SiteHub.Gateway.WebUi.Pages;

/// <summary>The payloads that could not be decoded, with reason and raw content, and a replay after a fix.</summary>
public static class QuarantinePage
{
    /// <summary>The start of the raw payload as text (encoded when shown; invalid UTF-8 shows as U+FFFD).</summary>
    public static string Preview(QuarantinedPayload q) =>
        Encoding.UTF8.GetString(q.Raw, 0, Math.Min(q.Raw.Length, 4096)) + (q.Raw.Length > 4096 || q.Truncated ? " …" : "");

    /// <param name="frame">The request's text, language, user and token.</param>
    /// <param name="entries">The newest quarantined payloads.</param>
    /// <param name="message">What the last replay did, or null.</param>
    public static string Render(PageFrame frame, IReadOnlyList<QuarantinedPayload> entries, string? message)
    {
        var articles = Html.Each(entries, q =>
        {
            var replayed = q.ReplayedAt is not null;
            return $"""
                    <article class="quarantined{(replayed ? " replayed" : "")}"{Html.Attr("data-id", q.Id?.ToString())}>
                        <header>
                            <strong>{Html.E(q.DeviceSn)}</strong> · {Html.E(q.Protocol)} · <time>{q.At.ToString("u", CultureInfo.InvariantCulture)}</time> · {frame.T("Size")} {q.Size.ToString(CultureInfo.InvariantCulture)}
                            {(replayed ? $"""<span class="state ok replayed-badge">{frame.T("Replayed")}</span>""" : "")}
                        </header>
                        <p><span class="muted">{frame.T("Source")}:</span> {Html.E(q.Source)}</p>
                        <p class="reason"><span class="muted">{frame.T("Reason")}:</span> {Html.E(q.Reason)}</p>
                        <details{Html.Flag("open", !replayed)}><summary>{frame.T("Raw")}</summary><pre>{Html.E(Preview(q))}</pre></details>
                        {(replayed ? "" : $"""
                        <form method="post" action="/quarantine?handler=replay" class="inline">
                            <input type="hidden" name="id"{Html.Attr("value", q.Id?.ToString())} />
                            <button type="submit" class="replay">{frame.T("Replay")}</button>
                            {frame.AntiforgeryField}
                        </form>
                        """)}
                    </article>
                """;
        });
        return Layout.Render(frame, frame.Text["Quarantine"].Value, "quarantine", $"""
            <section class="card wide">
                <h1>{frame.T("Quarantine")} ({entries.Count.ToString(CultureInfo.InvariantCulture)})</h1>
                {(message is null ? "" : $"""<p class="notice" id="replay-message">{Html.E(message)}</p>""")}
                {(entries.Count == 0 ? $"""<p class="muted">{frame.T("Nothing")}</p>""" : "")}
            {articles}
            </section>
            """);
    }

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPage("/quarantine", context => PageEndpoints.HtmlAsync(context, Render(
            PageEndpoints.Frame(context), context.RequestServices.GetRequiredService<OutboxStore>().Quarantined(200), Flash.Take(context).Message)));
        app.MapForm("/quarantine", (context, form) => form.Handler == "replay"
            ? ReplayAsync(context, form["id"])
            : PageEndpoints.StatusAsync(context, StatusCodes.Status404NotFound));
    }

    private static async Task ReplayAsync(HttpContext context, string? id)
    {
        if (WebUiFeature.ParseObjectId(id) is not { } objectId)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var result = await context.RequestServices.GetRequiredService<QuarantineReplay>().ReplayAsync(objectId, context.RequestAborted);
        if (result.Outcome == ReplayOutcome.NotFound)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.RequestServices.GetRequiredService<WebUserStore>().Record(
            context.UserName(), "quarantine-replayed", $"{id}: {result.Outcome} {result.Punches} {result.Reason}", context.Remote());
        var text = context.RequestServices.GetRequiredService<IStringLocalizer<UiText>>();
        new Flash(result.Outcome == ReplayOutcome.Replayed ? text["ReplayOk", result.Punches].Value : text["ReplayFailed", result.Reason ?? ""].Value).Keep(context);
        context.Response.Redirect("/quarantine");
    }
}
