using Micro.Transport;
using NATS.Client.Core;

namespace Micro.Nats;

/// <summary>
/// Maps Micro's TLS settings onto NATS.Net's: TLS is required (never a plain fallback), the client certificate is
/// presented for servers started with <c>--tlsverify</c>, and the server's certificate is checked against the CA given.
/// </summary>
internal static class NatsTls
{
    public static NatsTlsOpts For(TransportTls? tls)
    {
        if (tls is null)
        {
            // tls:// URLs still get TLS with the system's roots (NATS.Net's Auto mode).
            return NatsTlsOpts.Default;
        }

        return NatsTlsOpts.Default with
        {
            Mode = TlsMode.Require,
            ConfigureClientAuthentication = ssl =>
            {
                tls.ConfigureClient(ssl);
                return ValueTask.CompletedTask;
            },
        };
    }
}
