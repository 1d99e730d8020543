using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Micro.Transport;

/// <summary>
/// TLS for a transport. A server presents <see cref="Certificate"/>; with <see cref="Authorities"/> it also requires a
/// client certificate issued by them (mutual TLS). A client trusts <see cref="Authorities"/> (else the system's roots)
/// and presents <see cref="Certificate"/> when it has one. With a private CA the peer's name is not checked: nodes
/// register by IP address, and the CA is the trust anchor.
/// </summary>
public sealed record TransportTls
{
    /// <summary>This side's certificate, with its private key (required to serve).</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>The CA(s) peers' certificates must chain to; on a server this turns on mutual TLS.</summary>
    public X509Certificate2Collection? Authorities { get; init; }

    /// <summary>
    /// From PEM files: <c>--transport_tls_cert</c> and <c>--transport_tls_key</c> (this side), <c>--transport_tls_ca</c>
    /// (the peers' CA). Missing or unreadable files are errors that name the file.
    /// </summary>
    /// <param name="certificatePath">This side's certificate (PEM).</param>
    /// <param name="keyPath">Its private key (PEM).</param>
    /// <param name="authorityPath">The peers' CA (PEM).</param>
    /// <param name="flags">The flag names errors mention (the edge commands use <c>--tls_cert_file</c>...).</param>
    public static TransportTls FromFiles(string? certificatePath, string? keyPath, string? authorityPath,
        (string Certificate, string Key, string Authority)? flags = null)
    {
        var (certFlag, keyFlag, caFlag) = flags ?? ("--transport_tls_cert", "--transport_tls_key", "--transport_tls_ca");
        X509Certificate2? certificate = null;
        if (certificatePath is not null)
        {
            Require(certificatePath, certFlag);
            Require(keyPath ?? throw new ArgumentException($"{certFlag} needs {keyFlag} (the certificate's private key, PEM)"), keyFlag);
            // Re-imported: on Linux a PEM-loaded key must be exported/imported to be usable by SslStream as a server.
            using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }

        X509Certificate2Collection? authorities = null;
        if (authorityPath is not null)
        {
            Require(authorityPath, caFlag);
            authorities = [];
            authorities.ImportFromPemFile(authorityPath);
        }

        return new TransportTls { Certificate = certificate, Authorities = authorities };
    }

    /// <summary>
    /// Development only: one self-signed certificate for localhost/127.0.0.1/::1, made once per user and shared by every
    /// process on the machine (so they trust each other). Logged as a warning every time it is used.
    /// </summary>
    public static TransportTls Development(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var folder = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "micro");
        var path = Path.Combine(folder, "dev-transport-tls.pfx");
        X509Certificate2 certificate;
        if (File.Exists(path))
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, null);
        }
        else
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=micro development", key, HashAlgorithmName.SHA256);
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            names.AddIpAddress(IPAddress.IPv6Loopback);
            request.CertificateExtensions.Add(names.Build());
            using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            var pfx = created.Export(X509ContentType.Pkcs12);
            Hosting.PrivateFiles.CreateFolder(folder);
            Hosting.PrivateFiles.WriteNew(path, pfx); // 0600: it holds the private key
            certificate = X509CertificateLoader.LoadPkcs12(pfx, null);
        }

        logger.LogWarning("TRANSPORT TLS IN DEVELOPMENT MODE: a self-signed certificate ({Path}) that every process of this user trusts. " +
                          "Never use --transport_tls_dev in production; give --transport_tls_cert/--transport_tls_key/--transport_tls_ca instead.", path);
        return new TransportTls { Certificate = certificate, Authorities = [X509CertificateLoader.LoadCertificate(certificate.RawData)] };
    }

    internal SslServerAuthenticationOptions ServerOptions() => new()
    {
        ServerCertificate = Certificate ?? throw new InvalidOperationException("serving with TLS needs a certificate (--transport_tls_cert and --transport_tls_key, or --transport_tls_dev)"),
        ClientCertificateRequired = Authorities is { Count: > 0 },
        RemoteCertificateValidationCallback = (_, certificate, _, errors) => Validate(certificate, errors, clientCertificate: true),
    };

    internal SslClientAuthenticationOptions ClientOptions(string host) => new()
    {
        TargetHost = host,
        ClientCertificates = Certificate is null ? null : [Certificate],
        RemoteCertificateValidationCallback = (_, certificate, _, errors) => Validate(certificate, errors, clientCertificate: false),
    };

    /// <summary>An HTTP client's side: what it trusts and the certificate it presents.</summary>
    /// <param name="ssl">The handler's (or WebSocket's) TLS options.</param>
    public void ConfigureClient(SslClientAuthenticationOptions ssl)
    {
        ArgumentNullException.ThrowIfNull(ssl);
        ssl.ClientCertificates = Certificate is null ? null : [Certificate];
        ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) => Validate(certificate, errors, clientCertificate: false);
    }

    /// <summary>A client's check of the server's certificate (for clients that take a validation callback, such as RabbitMQ's).</summary>
    /// <param name="certificate">The server's certificate.</param>
    /// <param name="errors">What the platform found wrong with it.</param>
    public bool ValidateServer(X509Certificate? certificate, SslPolicyErrors errors) => Validate(certificate, errors, clientCertificate: false);

    /// <summary>A server's check of a client's certificate (for servers that take a validation callback, such as Kestrel).</summary>
    /// <param name="certificate">The client's certificate, if it sent one.</param>
    /// <param name="errors">What the platform found wrong with it.</param>
    public bool ValidateClient(X509Certificate? certificate, SslPolicyErrors errors) => Validate(certificate, errors, clientCertificate: true);

    private bool Validate(X509Certificate? certificate, SslPolicyErrors errors, bool clientCertificate)
    {
        if (Authorities is not { Count: > 0 })
        {
            // No private CA: the system's roots and the name rules decide; a server without a CA takes no client certificates.
            return clientCertificate ? true : errors == SslPolicyErrors.None;
        }

        if (certificate is null)
        {
            return false; // mutual TLS: a client certificate is required
        }

        if (!clientCertificate && errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false; // a private CA still names its servers: the certificate must be for the host dialled (its SAN)
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(Authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // The purpose it was issued for: a client certificate of the same CA cannot serve, nor a server's sign in.
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(clientCertificate ? "1.3.6.1.5.5.7.3.2" : "1.3.6.1.5.5.7.3.1"));
        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(presented);
    }

    private static void Require(string path, string flag)
    {
        if (!File.Exists(path))
        {
            throw new ArgumentException($"{flag} {path}: no such file");
        }
    }
}
