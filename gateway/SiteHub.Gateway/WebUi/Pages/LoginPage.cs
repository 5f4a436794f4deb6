using SiteHub.Platform.Web;

namespace SiteHub.Gateway.WebUi.Pages;

/// <summary>The login page (open to all), the logout and the language switch (<see cref="WebUiLogin"/> does the work).</summary>
public static class LoginPage
{
    /// <param name="frame">The request's text, language and token.</param>
    /// <param name="problem">The UI text key of what went wrong with the last attempt, or null.</param>
    /// <param name="returnUrl">Where to go once signed in.</param>
    public static string Render(PageFrame frame, string? problem, string? returnUrl) =>
        Layout.Render(frame, frame.Text["Login"].Value, "login", $"""
            <section class="card narrow">
                <h1>{frame.T("Login")}</h1>
                {(problem is null ? "" : $"""<p class="error" id="login-error">{frame.T(problem)}</p>""")}
                <form method="post">
                    <label>{frame.T("User")} <input name="user" id="user" value="admin" autocomplete="username" required /></label>
                    <label>{frame.T("Password")} <input name="password" id="password" type="password" autocomplete="current-password" required /></label>
                    <input type="hidden" name="returnUrl"{Html.Attr("value", returnUrl)} />
                    <button type="submit" id="login-submit">{frame.T("Login")}</button>
                    {frame.AntiforgeryField}
                </form>
            </section>
            """);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPage("/login", context => PageEndpoints.HtmlAsync(
            context, Render(PageEndpoints.Frame(context), null, context.Request.Query["returnUrl"].FirstOrDefault()))).AllowAnonymous();
        app.MapForm("/login", LogInAsync).AllowAnonymous();

        app.MapPage("/logout", context => PageEndpoints.RedirectAsync(context, "/"));
        app.MapForm("/logout", async (context, _) =>
        {
            await WebUiLogin.SignOutAsync(context, context.RequestServices.GetRequiredService<WebUserStore>());
            context.Response.Redirect("/login");
        });

        app.MapPage("/language", context => PageEndpoints.RedirectAsync(context, "/")).AllowAnonymous();
        app.MapForm("/language", (context, form) =>
        {
            WebUiLogin.ChooseCulture(context.Response, form["culture"]);
            return LocalRedirectAsync(context, form["returnUrl"]);
        }).AllowAnonymous();
    }

    private static async Task LogInAsync(HttpContext context, FormFields form)
    {
        var problem = await WebUiLogin.SignInAsync(context, context.RequestServices.GetRequiredService<WebUserStore>(), form["user"], form["password"]);
        if (problem is null)
        {
            await LocalRedirectAsync(context, form["returnUrl"]);
            return;
        }

        await PageEndpoints.HtmlAsync(context, Render(PageEndpoints.Frame(context), problem, form["returnUrl"]), StatusCodes.Status401Unauthorized);
    }

    private static Task LocalRedirectAsync(HttpContext context, string? returnUrl) =>
        TypedResults.LocalRedirect(WebUiLogin.LocalOrHome(returnUrl)).ExecuteAsync(context);
}
