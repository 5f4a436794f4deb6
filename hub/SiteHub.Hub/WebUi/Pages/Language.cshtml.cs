using SiteHub.Platform.Web;

namespace SiteHub.Hub.WebUi.Pages;

/// <summary>Switches the language (the shared <see cref="WebLanguagePageModel"/>).</summary>
[Microsoft.AspNetCore.Authorization.AllowAnonymous]
public sealed class LanguageModel : WebLanguagePageModel;
