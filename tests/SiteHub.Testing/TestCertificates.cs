using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SiteHub.Testing;

/// <summary>A throw-away CA and a server certificate for 127.0.0.1/localhost it signed, as PEM files.</summary>
public sealed record TestPki(string CaCertificatePath, string ServerCertificatePath, string ServerKeyPath)
{
    /// <summary>Writes a new CA (named <paramref name="caName"/>) and a server certificate into <paramref name="folder"/>.</summary>
    public static TestPki Create(string folder, string caName = "SiteHub Test CA")
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN={caName}", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var server = serverRequest.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddMonths(6), RandomNumberGenerator.GetBytes(8));

        Directory.CreateDirectory(folder);
        var pki = new TestPki(Path.Combine(folder, "ca.pem"), Path.Combine(folder, "server.pem"), Path.Combine(folder, "server.key"));
        File.WriteAllText(pki.CaCertificatePath, ca.ExportCertificatePem());
        File.WriteAllText(pki.ServerCertificatePath, server.ExportCertificatePem());
        File.WriteAllText(pki.ServerKeyPath, serverKey.ExportPkcs8PrivateKeyPem());
        return pki;
    }
}
