using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Micro.Bot.Xmpp;

/// <summary>
/// One XMPP stream (RFC 6120): TCP, then TLS after STARTTLS, each stream (re)opened with its header, stanzas read as
/// elements at depth 1 and written as text. Reading is single-reader; writing is serialized.
/// </summary>
internal sealed class XmppConnection : IAsyncDisposable
{
    public const string StreamNs = "http://etherx.jabber.org/streams";
    private readonly TcpClient _tcp;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly string _domain;
    private Stream _stream;
    private XmlReader? _reader;

    private XmppConnection(TcpClient tcp, string domain)
    {
        _tcp = tcp;
        _domain = domain;
        _stream = tcp.GetStream();
    }

    public bool IsEncrypted => _stream is SslStream;

    public static async Task<XmppConnection> ConnectAsync(string host, int port, string domain, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }

        return new XmppConnection(tcp, domain);
    }

    /// <summary>Opens a stream (again, after TLS or SASL) and returns the server's &lt;stream:features/&gt;.</summary>
    public async Task<XElement> OpenStreamAsync(CancellationToken cancellationToken)
    {
        _reader?.Dispose();
        _reader = XmlReader.Create(_stream, new XmlReaderSettings { Async = true, DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreWhitespace = true });
        await WriteAsync($"<?xml version='1.0'?><stream:stream to='{Escape(_domain)}' version='1.0' xmlns='jabber:client' xmlns:stream='{StreamNs}'>", cancellationToken).ConfigureAwait(false);
        while (await _reader.ReadAsync().ConfigureAwait(false))
        {
            if (_reader.NodeType == XmlNodeType.Element && _reader.LocalName == "stream" && _reader.NamespaceURI == StreamNs)
            {
                break;
            }
        }

        var features = await ReadAsync(cancellationToken).ConfigureAwait(false) ?? throw new IOException("the server closed the stream before sending its features");
        return features.Name == XName.Get("features", StreamNs) ? features : throw new IOException($"expected stream features, got <{features.Name.LocalName}>");
    }

    /// <summary>Upgrades to TLS (after the server's &lt;proceed/&gt;), checking the server's certificate.</summary>
    public async Task StartTlsAsync(string? trustedCertificatePath, CancellationToken cancellationToken)
    {
        var trusted = trustedCertificatePath is null ? null : X509CertificateLoader.LoadCertificateFromFile(trustedCertificatePath); // PEM or DER
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false, (_, certificate, chain, errors) =>
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            // A self-signed server certificate is accepted only when it is exactly the one configured to trust.
            return trusted is not null && certificate is not null && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
                   && certificate.GetCertHashString() == trusted.GetCertHashString();
        });
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = _domain }, cancellationToken).ConfigureAwait(false);
        _stream = ssl;
    }

    /// <summary>The next stanza or top-level element, or null when the stream ended.</summary>
    public async Task<XElement?> ReadAsync(CancellationToken cancellationToken)
    {
        var reader = _reader ?? throw new InvalidOperationException("the stream is not open");
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!await reader.ReadAsync().ConfigureAwait(false))
            {
                return null;
            }
            if (reader.NodeType == XmlNodeType.Element && reader.Depth == 1)
            {
                // Through a subtree reader: it stops at the stanza's end tag. Reading on to the next node (as
                // XNode.ReadFrom does) would wait for bytes the server sends only after we answer this stanza.
                using var subtree = reader.ReadSubtree();
                return await XElement.LoadAsync(subtree, LoadOptions.None, cancellationToken).ConfigureAwait(false);
            }

            if (reader.NodeType == XmlNodeType.EndElement && reader.Depth == 0)
            {
                return null; // </stream:stream>
            }
        }
    }

    public async Task WriteAsync(string xml, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(xml);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task WriteAsync(XElement stanza, CancellationToken cancellationToken)
        => WriteAsync(stanza.ToString(SaveOptions.DisableFormatting | SaveOptions.OmitDuplicateNamespaces), cancellationToken);

    public static string Escape(string value) => System.Security.SecurityElement.Escape(value);

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await WriteAsync("</stream:stream>", timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // already gone
        }

        // Closing the socket ends a read in progress (the client's read loop); the reader is disposed once it is idle.
        await _stream.DisposeAsync().ConfigureAwait(false);
        _tcp.Dispose();
        try
        {
            _reader?.Dispose();
        }
        catch (InvalidOperationException)
        {
            // a read was still unwinding; the reader holds nothing else
        }
    }
}
