using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;

namespace Micro.Transport.Tcp;

/// <summary>TLS over a connected socket, bounded in time; failures are a transport error (client) or a log line (server).</summary>
internal static class TlsHandshake
{
    public static async Task<Stream> ClientAsync(Socket socket, string address, TransportTls tls, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await ssl.AuthenticateAsClientAsync(tls.ClientOptions(TcpAddress.Split(address).Host), deadline.Token).ConfigureAwait(false);
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
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await ssl.AuthenticateAsServerAsync(tls.ServerOptions(), deadline.Token).ConfigureAwait(false);
            return ssl;
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            logger.LogWarning("TLS handshake with {Remote} failed, connection dropped: {Reason}", remote, e is OperationCanceledException ? "timed out" : e.Message);
            await ssl.DisposeAsync().ConfigureAwait(false);
            return null;
        }
    }
}
