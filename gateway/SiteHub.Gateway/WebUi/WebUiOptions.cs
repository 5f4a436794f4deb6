using System.ComponentModel.DataAnnotations;

namespace SiteHub.Gateway.WebUi;

/// <summary>The <c>WebUi</c> section: the site admin's web pages.</summary>
public sealed class WebUiOptions
{
    public const string Section = "WebUi";

    /// <summary>Wrong passwords in a row before the admin account is locked. Default 5.</summary>
    [Range(1, 100, ErrorMessage = "WebUi:MaxFailedLogins must be 1-100")]
    public int MaxFailedLogins { get; set; } = 5;

    /// <summary>How long a locked account stays locked. Default 5 minutes.</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a login lasts without activity. Default 8 hours (one shift).</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromHours(8);

    /// <summary>
    /// The gateway's address as the terminals on the site LAN reach it, shown in the settings to type
    /// into a terminal. Default none: the host name the admin's browser used.
    /// </summary>
    public string? AdvertisedHost { get; set; }
}
