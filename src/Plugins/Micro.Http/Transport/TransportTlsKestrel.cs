using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Micro.Transport;

/// <summary>Kestrel's side of <see cref="TransportTls"/>: kept here so the core needs no ASP.NET Core.</summary>
public static class TransportTlsKestrel
{
    /// <summary>Kestrel's side (the http transport, and the gateway, dashboard and proxy): certificate and client-certificate rules.</summary>
    /// <param name="tls">The certificate and the authorities clients must be signed by.</param>
    /// <param name="https">Kestrel's HTTPS options for one endpoint.</param>
    public static void ConfigureKestrel(this TransportTls tls, HttpsConnectionAdapterOptions https)
    {
        ArgumentNullException.ThrowIfNull(tls);
        ArgumentNullException.ThrowIfNull(https);
        https.ServerCertificate = tls.Certificate ?? throw new InvalidOperationException("serving with TLS needs a certificate (--transport_tls_cert and --transport_tls_key, or --transport_tls_dev)");
        https.ClientCertificateMode = tls.Authorities is { Count: > 0 } ? ClientCertificateMode.RequireCertificate : ClientCertificateMode.NoCertificate;
        https.ClientCertificateValidation = (certificate, _, errors) => tls.ValidateClient(certificate, errors);
    }
}
