using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace SiteHub.Platform.Web;

/// <summary>
/// Razor Pages with the shared login (<see cref="WebUiLogin"/>), for the hub. The gateway renders
/// its pages without MVC (its memory budget), so nothing here may be reached from its code.
/// </summary>
public static class WebUiPages
{
    /// <summary>
    /// Registers the login (<see cref="WebUiLogin.AddWebUiLogin"/>) and the Razor Pages under
    /// <c>/WebUi/Pages</c> of <paramref name="pagesAssembly"/>, the login page open to all.
    /// </summary>
    public static IHostApplicationBuilder AddWebUiPagesWithLogin(this IHostApplicationBuilder builder, System.Reflection.Assembly pagesAssembly, WebUiLoginSettings settings)
    {
        builder.AddWebUiLogin(settings);
        // Chinese text stays readable in the HTML source; markup characters are still encoded.
        builder.Services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        builder.Services.AddRazorPages(options =>
        {
            options.RootDirectory = "/WebUi/Pages";
            options.Conventions.AllowAnonymousToPage("/Login");
        })
        // Named explicitly: when a test or the demo hosts the app, the entry assembly is not the UI's.
        .AddApplicationPart(pagesAssembly)
        // No page reads jQuery-style keys ("a[b]"); their parser throws on a key like "a[" (a 500
        // from any form post or query string naming one), so they are not read at all.
        .AddMvcOptions(options =>
        {
            options.ValueProviderFactories.RemoveType<JQueryFormValueProviderFactory>();
            options.ValueProviderFactories.RemoveType<JQueryQueryStringValueProviderFactory>();
        });
        return builder;
    }
}

/// <summary>The login page (<see cref="WebUiLogin.SignInAsync"/>).</summary>
public class WebLoginPageModel(WebUserStore users) : PageModel
{
    /// <summary>The UI text key of what went wrong, or null.</summary>
    public string? Problem { get; private set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public async Task<IActionResult> OnPostAsync(string? user, string? password)
    {
        Problem = await WebUiLogin.SignInAsync(HttpContext, users, user, password);
        if (Problem is null)
        {
            return LocalRedirect(WebUiLogin.LocalOrHome(ReturnUrl));
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Page();
    }
}

/// <summary>Signs out (POST only, with antiforgery) and records it.</summary>
public class WebLogoutPageModel(WebUserStore users) : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        await WebUiLogin.SignOutAsync(HttpContext, users);
        return Redirect("/login");
    }
}

/// <summary>Switches the language (a cookie for a year); also before login.</summary>
[AllowAnonymous]
public class WebLanguagePageModel : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public IActionResult OnPost(string? culture, string? returnUrl)
    {
        WebUiLogin.ChooseCulture(Response, culture);
        return LocalRedirect(WebUiLogin.LocalOrHome(returnUrl));
    }
}
