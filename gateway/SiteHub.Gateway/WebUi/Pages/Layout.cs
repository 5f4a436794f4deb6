namespace SiteHub.Gateway.WebUi.Pages;

/// <summary>The frame of every page (pure): head, navigation once signed in, language switch, logout.</summary>
public static class Layout
{
    /// <param name="frame">The request's text, language, user and antiforgery token.</param>
    /// <param name="title">The page's title (encoded here).</param>
    /// <param name="page">The page's name for its script (<c>data-page</c>).</param>
    /// <param name="body">The page's own HTML, already encoded.</param>
    public static string Render(PageFrame frame, string title, string page, string body)
    {
        var signedIn = frame.UserName is not null;
        var nav = signedIn
            ? $"""
                <nav>
                    <a href="/">{frame.T("Devices")}</a>
                    <a href="/roster">{frame.T("Roster")}</a>
                    <a href="/quarantine">{frame.T("Quarantine")}</a>
                    <a href="/audit">{frame.T("Audit")}</a>
                </nav>
                <span id="uplink-badge" class="badge" data-on="{frame.T("Connected")}" data-off="{frame.T("Disconnected")}">{frame.T("Uplink")}</span>
            """
            : "";
        var logout = signedIn
            ? $"""
                <form method="post" action="/logout" class="inline">
                    <button type="submit" class="link" id="logout">{frame.T("Logout")} ({Html.E(frame.UserName)})</button>
                    {frame.AntiforgeryField}
                </form>
            """
            : "";
        return $"""
            <!DOCTYPE html>
            <html lang="{(frame.English ? "en" : "zh-CN")}">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <title>{Html.E(title)} · {frame.T("AppTitle")}</title>
                <link rel="stylesheet" href="/ui/assets/app.css" />
                <script src="/ui/assets/app.js" defer></script>
            </head>
            <body data-page="{Html.E(page)}">
                <header class="top">
                    <span class="brand">{frame.T("AppTitle")}</span>
            {nav}
                    <form method="post" action="/language" class="inline">
                        <input type="hidden" name="returnUrl" value="{Html.E(frame.ReturnPath)}" />
                        <button type="submit" name="culture" value="{(frame.English ? "zh-CN" : "en")}" class="link" id="language">{(frame.English ? "中文" : "English")}</button>
                        {frame.AntiforgeryField}
                    </form>
            {logout}
                </header>
                <main>
            {body}
                </main>
            </body>
            </html>
            """;
    }
}
