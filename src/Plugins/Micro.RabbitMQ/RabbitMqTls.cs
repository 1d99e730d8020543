using Micro.Transport;
using RabbitMQ.Client;

namespace Micro.RabbitMQ;

/// <summary>
/// Maps Micro's TLS settings onto RabbitMQ.Client's <see cref="SslOption"/>: TLS on (an <c>amqp://</c> URL's port is
/// then expected to be the server's TLS listener), the client certificate presented for servers that verify peers,
/// and the server's certificate checked against the CA given.
/// </summary>
internal static class RabbitMqTls
{
    public static void Apply(ConnectionFactory factory, TransportTls? tls)
    {
        if (tls is null)
        {
            return; // amqps:// URLs still get TLS with the system's roots (set by the URL)
        }

        factory.Ssl = new SslOption
        {
            Enabled = true,
            ServerName = factory.HostName,
            Certs = tls.Certificate is null ? null : [tls.Certificate],
            CertificateValidationCallback = (_, certificate, _, errors) => tls.ValidateServer(certificate, errors),
        };
    }
}
