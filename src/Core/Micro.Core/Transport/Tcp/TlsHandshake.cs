using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;

namespace Micro.Transport.Tcp;

/// <summary>TLS over a connected socket, bounded in time; failures are a transport error (client) or a log line (server).</summary>
internal static class TlsHandshake
{
    /// <summary>A TLS alert record (fatal, unexpected_message): what a plain tcp client of a TLS node reads, and names as TLS.</summary>
    private static readonly byte[] Alert = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x0A];

    private const byte HandshakeRecord = 0x16;

    public static async Task<Stream> ClientAsync(Socket socket, string address, TransportTls tls, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var options = tls.ClientOptions(TcpAddress.Split(address).Host);
        var askedForCertificate = false;
        options.LocalCertificateSelectionCallback = (_, _, certificates, _, _) =>
        {
            // Called when the server asks for a client certificate (mutual TLS); ours is the one to present, if any.
            askedForCertificate = true;
            return certificates.Count > 0 ? certificates[0] : null!;
        };

        try
        {
            await ssl.AuthenticateAsClientAsync(options, deadline.Token).ConfigureAwait(false);
            if (askedForCertificate && tls.Certificate is null)
            {
                // TLS 1.3 completes on this side before the server checks: it would drop the first request ("closed by peer").
                throw new AuthenticationException("the node requires a client certificate (mutual TLS): give --transport_tls_cert and --transport_tls_key");
            }

            return ssl;
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            var why = e is OperationCanceledException ? $"no TLS handshake within {timeout.TotalSeconds:0} s (is the server using TLS?)" : e.Message;
            throw new MicroException("go.micro.transport", 500, $"tls {address}: {why}", inner: e) { IsTransportError = true };
        }
    }

    /// <summary>The server side; null (after a log line) when the client does not complete a valid handshake.</summary>
    public static async Task<Stream?> ServerAsync(Socket socket, TransportTls tls, TimeSpan timeout, ILogger logger, CancellationToken cancellationToken)
    {
        var remote = socket.RemoteEndPoint?.ToString() ?? "?";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            var first = new byte[1];
            if (await socket.ReceiveAsync(first, SocketFlags.Peek, deadline.Token).ConfigureAwait(false) == 1 && first[0] != HandshakeRecord)
            {
                // Not a TLS ClientHello: a plain tcp client. Answer in TLS, so it can say that TLS is required.
                logger.LogWarning("Client {Remote} did not start TLS (plain tcp to a node that requires TLS); connection dropped", remote);
                await RefuseAsync(socket, deadline.Token).ConfigureAwait(false);
                return null;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            logger.LogWarning("TLS handshake with {Remote} failed, connection dropped: {Reason}", remote, e is OperationCanceledException ? "timed out" : e.Message);
            socket.Dispose();
            return null;
        }

        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        var options = tls.ServerOptions();
        var validate = options.RemoteCertificateValidationCallback!;
        var sentNoCertificate = false;
        options.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
        {
            sentNoCertificate = certificate is null;
            return validate(sender, certificate, chain, errors);
        };

        try
        {
            await ssl.AuthenticateAsServerAsync(options, deadline.Token).ConfigureAwait(false);
            return ssl;
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            var reason = e is OperationCanceledException ? "timed out"
                : sentNoCertificate && options.ClientCertificateRequired ? "the client sent no certificate, and this node requires one (mutual TLS)"
                : e.Message;
            logger.LogWarning("TLS handshake with {Remote} failed, connection dropped: {Reason}", remote, reason);
            await ssl.DisposeAsync().ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>Sends the alert, then reads what the client sent until it closes, so the close is not a reset that loses the alert.</summary>
    private static async Task RefuseAsync(Socket socket, CancellationToken cancellationToken)
    {
        try
        {
            await socket.SendAsync(Alert, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            socket.Shutdown(SocketShutdown.Send);
            var sink = new byte[4096];
            for (var read = 0; read < 1024 * 1024 && await socket.ReceiveAsync(sink, SocketFlags.None, cancellationToken).ConfigureAwait(false) is var n and > 0; read += n)
            {
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // It went away or took too long: nothing more to tell it.
        }
        finally
        {
            socket.Dispose();
        }
    }
}
