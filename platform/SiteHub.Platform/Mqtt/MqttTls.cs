using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;

namespace SiteHub.Platform.Mqtt;

/// <summary>
/// TLS for MQTT client links. With a CA file the broker's certificate must chain to that CA (a
/// private PKI, the usual case for a city's hub); without one, to the system's trusted roots.
/// The host name is always checked.
/// </summary>
public static class MqttTls
{
    /// <summary>Adds TLS to a client's options when <paramref name="useTls"/> is set.</summary>
    /// <param name="builder">The client options.</param>
    /// <param name="useTls">Whether the link uses TLS.</param>
    /// <param name="caCertificatePath">PEM file of the CA the broker's certificate must chain to (null: system roots).</param>
    public static MqttClientOptionsBuilder WithSiteHubTls(this MqttClientOptionsBuilder builder, bool useTls, string? caCertificatePath)
    {
        if (!useTls)
        {
            return builder;
        }

        var ca = string.IsNullOrEmpty(caCertificatePath) ? null : X509CertificateLoader.LoadCertificateFromFile(caCertificatePath);
        return builder.WithTlsOptions(tls => tls
            .UseTls()
            .WithCertificateValidationHandler(args => IsTrusted(args.Certificate, args.SslPolicyErrors, ca)));
    }

    /// <summary>True when <paramref name="certificate"/> is valid for the host and chains to <paramref name="ca"/> (or the system roots).</summary>
    public static bool IsTrusted(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2? ca)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }

        if (ca is null)
        {
            return errors == SslPolicyErrors.None;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
