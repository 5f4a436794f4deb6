using SiteHub.Platform.Web;

namespace SiteHub.Hub.WebUi.Pages;

/// <summary>Signs out (the shared <see cref="WebLogoutPageModel"/>).</summary>
public sealed class LogoutModel(WebUserStore users) : WebLogoutPageModel(users);
