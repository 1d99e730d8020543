using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Micro.Transport;

namespace Micro.TestFixtures;

/// <summary>Certificates made here: a private CA, and leaves it signs for 127.0.0.1 (server and client alike).</summary>
public static class TestPki
{
    public static X509Certificate2 Authority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
        return X509CertificateLoader.LoadPkcs12(ca.Export(X509ContentType.Pkcs12), null);
    }

    public static X509Certificate2 Leaf(X509Certificate2 authority, string name) => Leaf(authority, name, IPAddress.Loopback, ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);

    /// <summary>A leaf for <paramref name="address"/> (its SAN) with the given purposes (EKU OIDs: 1.3.6.1.5.5.7.3.1 server, .2 client).</summary>
    public static X509Certificate2 Leaf(X509Certificate2 authority, string name, IPAddress address, string[] purposes)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(address);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection().With(purposes), false));
        var serial = RandomNumberGenerator.GetBytes(8);
        using var signed = request.Create(authority, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), serial);
        using var withKey = signed.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private static OidCollection With(this OidCollection collection, string[] oids)
    {
        foreach (var oid in oids)
        {
            collection.Add(new Oid(oid));
        }

        return collection;
    }

    public static TransportTls Mutual(X509Certificate2 authority, string name)
        => new() { Certificate = Leaf(authority, name), Authorities = [X509CertificateLoader.LoadCertificate(authority.RawData)] };

    /// <summary>Writes a certificate and its private key as PEM files named <paramref name="name"/>.pem and .key.</summary>
    public static (string Certificate, string Key) WritePem(X509Certificate2 certificate, string folder, string name)
    {
        var cert = Path.Combine(folder, name + ".pem");
        var key = Path.Combine(folder, name + ".key");
        File.WriteAllText(cert, certificate.ExportCertificatePem());
        File.WriteAllText(key, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return (cert, key);
    }

    /// <summary>
    /// A CA and a server certificate for 127.0.0.1 as PEM files in <paramref name="folder"/> (for nats-server,
    /// rabbitmq-server...), with a client's TLS settings that trust the CA and present a certificate it signed.
    /// </summary>
    public static ServerTlsFiles WriteServerFiles(string folder)
    {
        var authority = Authority("test-ca");
        var caPath = Path.Combine(folder, "ca.pem");
        File.WriteAllText(caPath, authority.ExportCertificatePem());
        var (cert, key) = WritePem(Leaf(authority, "server"), folder, "server");
        return new ServerTlsFiles(authority, caPath, cert, key, Mutual(authority, "client"));
    }
}

/// <summary>A server's TLS files, and the settings of a client its CA trusts.</summary>
public sealed record ServerTlsFiles(X509Certificate2 Authority, string AuthorityPath, string CertificatePath, string KeyPath, TransportTls Client)
{
    /// <summary>A client that trusts the CA but has no certificate of its own (refused where peers are verified).</summary>
    public TransportTls Anonymous => new() { Authorities = [X509CertificateLoader.LoadCertificate(Authority.RawData)] };
}
