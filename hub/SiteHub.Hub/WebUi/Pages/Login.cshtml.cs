using SiteHub.Platform.Web;

namespace SiteHub.Hub.WebUi.Pages;

/// <summary>The login of central staff (the shared <see cref="WebLoginPageModel"/>).</summary>
public sealed class LoginModel(WebUserStore users) : WebLoginPageModel(users);
