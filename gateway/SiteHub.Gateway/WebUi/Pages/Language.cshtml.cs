using Microsoft.AspNetCore.Authorization;
using SiteHub.Platform.Web;

namespace SiteHub.Gateway.WebUi.Pages;

/// <summary>Switches the language (the shared <see cref="WebLanguagePageModel"/>).</summary>
[AllowAnonymous]
public sealed class LanguageModel : WebLanguagePageModel;
