using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SiteHub.Platform.Web;

/// <summary>Options of the HTTP Basic scheme: the one admin account of a gateway or hub's REST API.</summary>
public sealed class BasicAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>The user name accepted. Default <c>admin</c>.</summary>
    public string UserName { get; set; } = "admin";

    /// <summary>Returns the password to accept (from <c>Admin:Password</c>).</summary>
    public Func<string> Password { get; set; } = () => "";
}

/// <summary>
/// HTTP Basic authentication for the REST APIs, compared in constant time; every refusal is
/// logged with the remote address (the web login with roles comes with the web UIs).
/// </summary>
public sealed class BasicAuthenticationHandler(
    IOptionsMonitor<BasicAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder)
    : AuthenticationHandler<BasicAuthenticationOptions>(options, logger, encoder)
{
    public const string SchemeName = "Basic";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // "Basic <base64>", read here rather than with System.Net.Http's header parser, which would
        // load the HTTP client's assembly (~1.5 MiB resident) into a server that never uses it.
        var authorization = Request.Headers.Authorization;
        var value = authorization.Count == 1 ? authorization[0]!.Trim() : "";
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || !value.AsSpan(0, space).Equals(SchemeName, StringComparison.OrdinalIgnoreCase) || value.AsSpan(space + 1).Trim().IsEmpty)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        string user, password;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value[(space + 1)..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                return Task.FromResult(Refuse("malformed credentials"));
            }

            user = decoded[..colon];
            password = decoded[(colon + 1)..];
        }
        catch (FormatException)
        {
            return Task.FromResult(Refuse("malformed credentials"));
        }

        if (!FixedTimeEquals(user, Options.UserName) | !FixedTimeEquals(password, Options.Password()))
        {
            return Task.FromResult(Refuse($"wrong user name or password for '{user}'"));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user), new Claim(ClaimTypes.Role, "admin")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Basic realm=\"SiteHub\", charset=\"UTF-8\"";
        return base.HandleChallengeAsync(properties);
    }

    private AuthenticateResult Refuse(string reason)
    {
        Logger.LogWarning("Refused API credentials from {Remote}: {Reason}", Context.Connection.RemoteIpAddress, reason);
        return AuthenticateResult.Fail(reason);
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));
}

/// <summary>Registration of the Basic scheme.</summary>
public static class BasicAuthenticationExtensions
{
    /// <summary>Every endpoint needs the admin's Basic credentials unless it allows anonymous access.</summary>
    public static IServiceCollection AddAdminBasicAuthentication(this IServiceCollection services, Func<IServiceProvider, string> password)
    {
        services.AddAuthentication(BasicAuthenticationHandler.SchemeName)
            .AddScheme<BasicAuthenticationOptions, BasicAuthenticationHandler>(BasicAuthenticationHandler.SchemeName, _ => { });
        services.AddOptions<BasicAuthenticationOptions>(BasicAuthenticationHandler.SchemeName)
            .Configure<IServiceProvider>((options, provider) => options.Password = () => password(provider));
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        return services;
    }
}
