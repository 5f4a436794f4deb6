using SiteHub.Platform.Web;

namespace SiteHub.Gateway.WebUi.Pages;

/// <summary>Signs out (the shared <see cref="WebLogoutPageModel"/>).</summary>
public sealed class LogoutModel(WebUserStore users) : WebLogoutPageModel(users);
