using SiteHub.Platform.Web;

namespace SiteHub.Gateway.WebUi.Pages;

/// <summary>The site admin's login (the shared <see cref="WebLoginPageModel"/>).</summary>
public sealed class LoginModel(WebUserStore users) : WebLoginPageModel(users);
