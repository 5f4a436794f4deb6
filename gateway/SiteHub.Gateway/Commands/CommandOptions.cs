namespace SiteHub.Gateway.Commands;

/// <summary>The <c>Commands</c> section: delivery and retry of device commands.</summary>
public sealed class CommandOptions
{
    public const string Section = "Commands";

    /// <summary>How long a sent command waits for its result before it is sent again. Default 30 s.</summary>
    public TimeSpan ResendAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Sends without a result before a command is marked failed. Default 5.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>How often the dispatcher looks for commands to deliver over MQTT and ISAPI. Default 1 s.</summary>
    public TimeSpan DispatchInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>User name for Hikvision ISAPI requests (devices answer with a Digest challenge). Default none.</summary>
    public string? IsapiUserName { get; set; }

    /// <summary>Password for Hikvision ISAPI requests. Default none.</summary>
    public string? IsapiPassword { get; set; }

    /// <summary>Timeout of one ISAPI request. Default 10 s.</summary>
    public TimeSpan IsapiTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
