using System.Net;
using System.Text;
using Micro.Transport.Tcp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Micro.Transport.Http;

/// <summary>
/// go-micro's default transport: each message is an HTTP/1.1 <c>POST /</c> on a persistent connection, the message
/// headers as HTTP headers, the body as the codec's bytes; the reply is <c>200 OK</c> carrying the reply headers
/// (an error travels in <c>Micro-Error</c>). Served by Kestrel; header values are UTF-8 so error JSON passes intact.
/// A caller that gives up closes its request, which cancels the handler. Streams run over a WebSocket per stream
/// (<see cref="WebSocketStreams"/>).
/// </summary>
public sealed class HttpTransport : ITransport
{
    /// <summary>HTTP's own headers, not message headers.</summary>
    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Connection", "Transfer-Encoding", "Keep-Alive", "User-Agent", "Accept-Encoding", "Expect", "Date", "Server",
    };

    private readonly TransportOptions _options;
    private readonly ILogger _logger;
    private readonly HttpClient _client;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Uri> _urls = new(StringComparer.Ordinal);

    public HttpTransport(TransportOptions? options = null)
    {
        _options = options ?? TransportOptions.Default;
        _logger = _options.LoggerFactory.CreateLogger<HttpTransport>();
        _client = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = _options.DialTimeout,
            MaxConnectionsPerServer = Math.Max(1, _options.PoolSize) * 32,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
            ResponseHeaderEncodingSelector = (_, _) => Encoding.UTF8,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            SslOptions = ClientSsl(_options.Tls),
            ConnectCallback = DialGuard.HttpConnect(_options.AllowLinkLocal),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan, // the caller's deadline rules
            DefaultRequestVersion = HttpVersion.Version11,
        };
    }

    public string Name => "http";

    public async ValueTask<ITransportListener> ListenAsync(string address, ITransportHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var endPoint = await TcpAddress.ResolveAsync(address, cancellationToken).ConfigureAwait(false);
        var (app, bound) = await KestrelEndpoint.StartAsync(endPoint, app =>
        {
            app.UseWebSockets();
            // Any page in the operator's browser can name a loopback port, and DNS rebinding makes its requests
            // same-origin ones (any headers, the reply readable); browsers apply no CORS to WebSockets at all. What a
            // browser sends (Origin on every POST and upgrade, Sec-Fetch-Site on every request) never comes from a
            // service, so such calls and streams are refused before they reach a handler.
            app.MapPost("/", context => FromBrowser(context.Request) ? RefuseBrowserAsync(context, "calls") : ServeAsync(context, handler));
            app.Map(WebSocketStreams.Path, context => FromBrowser(context.Request)
                ? RefuseBrowserAsync(context, "streams")
                : WebSocketStreams.ServeAsync(context, handler, _options.MaxMessageSize));
        }, k =>
        {
            k.Limits.MaxRequestBodySize = _options.MaxMessageSize;
            // Micro's header limits, plus room for the HTTP headers every request carries (Host, Content-Length...).
            k.Limits.MaxRequestHeaderCount = _options.MaxHeaderCount + 16;
            k.Limits.MaxRequestHeadersTotalSize = _options.MaxHeaderBytes + (8 * 1024);
            k.RequestHeaderEncodingSelector = _ => Encoding.UTF8;
            k.ResponseHeaderEncodingSelector = _ => Encoding.UTF8;
        }, null, _options.Tls, cancellationToken).ConfigureAwait(false);
        return new Listener(app, bound);
    }

    public async ValueTask<TransportMessage> RequestAsync(string address, TransportMessage request, CancellationToken cancellationToken = default)
    {
        var url = UrlOf(address);
        _options.EnsureFits(request);

        using var message = new HttpRequestMessage(HttpMethod.Post, url) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        message.Content = new ReadOnlyMemoryContent(request.Body);
        foreach (var (k, v) in request.Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(k, v))
            {
                message.Content.Headers.TryAddWithoutValidation(k, v);
            }
        }

        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.InnerException is MicroException refused)
        {
            throw refused; // the dial guard's refusal, as it said it
        }
        catch (HttpRequestException e)
        {
            throw new MicroException("go.micro.transport", 500, $"http {address}: {e.Message}", inner: e) { IsTransportError = true };
        }

        using (response)
        {
            var headers = TransportMessage.NewHeaders();
            foreach (var (k, v) in response.Headers.Concat(response.Content.Headers))
            {
                if (!HopHeaders.Contains(k))
                {
                    headers[k] = string.Join(",", v);
                }
            }

            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK && !headers.ContainsKey(MicroHeaders.Error))
            {
                var code = (int)response.StatusCode;
                headers[MicroHeaders.Error] = new MicroException("go.micro.transport", code, $"http {address}: {code} {Encoding.UTF8.GetString(body)}".Trim()).ToJson();
            }

            return new TransportMessage(headers, body);
        }
    }

    /// <summary>
    /// The URL of a node, checked once per address: the address is pasted into it, so only host:port, never a path or
    /// query someone registered. Kept per address, bounded (addresses come from the registry and callers).
    /// </summary>
    private Uri UrlOf(string address)
    {
        if (_urls.TryGetValue(address, out var url))
        {
            return url;
        }

        if (!Registry.NodeAddress.IsValid(address, out var problem))
        {
            throw MicroException.BadRequest("go.micro.transport", "node address " + problem);
        }

        if (_urls.Count >= 4096)
        {
            _urls.Clear();
        }

        return _urls[address] = new Uri($"{(_options.Tls is null ? "http" : "https")}://{address}/");
    }

    public ValueTask<ITransportStream> OpenStreamAsync(string address, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken = default)
        => WebSocketStreams.OpenAsync(address, headers, _options, cancellationToken);

    private static System.Net.Security.SslClientAuthenticationOptions ClientSsl(TransportTls? tls)
    {
        var ssl = new System.Net.Security.SslClientAuthenticationOptions();
        tls?.ConfigureClient(ssl);
        return ssl;
    }

    private static bool FromBrowser(HttpRequest request) => request.Headers.Origin.Count > 0 || request.Headers.ContainsKey("Sec-Fetch-Site");

    private static Task RefuseBrowserAsync(HttpContext context, string what)
    {
        var detail = $"{what} are not served to web pages (a request with Origin or Sec-Fetch-Site): services call services, browsers go through micro api";
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.Headers[MicroHeaders.Error] = MicroException.Forbidden("go.micro.transport", detail).ToJson();
        return context.Response.WriteAsync(detail, context.RequestAborted);
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task ServeAsync(HttpContext context, ITransportHandler handler)
    {
        var headers = TransportMessage.NewHeaders(context.Request.Headers.Count);
        foreach (var (k, v) in context.Request.Headers)
        {
            if (!HopHeaders.Contains(k))
            {
                headers[k] = v.ToString();
            }
        }

        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            _logger.LogWarning("Refusing a request from {Remote}: {Reason}", context.Connection.RemoteIpAddress, e.Message);
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            context.Response.Headers[MicroHeaders.Error] = MicroException.TooLarge("go.micro.transport", $"message exceeds the maximum message size of {_options.MaxMessageSize} bytes").ToJson();
            return;
        }

        var peer = new TransportPeer($"{context.Connection.LocalIpAddress}:{context.Connection.LocalPort}", $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}");
        var reply = await handler.HandleAsync(new TransportMessage(headers, body), peer, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
        foreach (var (k, v) in reply.Headers)
        {
            if (k.Equals(MicroHeaders.ContentType, StringComparison.OrdinalIgnoreCase))
            {
                context.Response.ContentType = v;
            }
            else
            {
                context.Response.Headers[k] = v;
            }
        }

        context.Response.ContentLength = reply.Body.Length;
        await context.Response.Body.WriteAsync(reply.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private sealed class Listener(WebApplication app, string address) : ITransportListener
    {
        private int _stopped;

        public string Address => address;

        public async ValueTask StopAcceptingAsync()
        {
            if (Interlocked.Exchange(ref _stopped, 1) == 0)
            {
                // Kestrel stops accepting and lets requests in flight finish (the server waits for those itself).
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await app.StopAsync(timeout.Token).ConfigureAwait(false);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await StopAcceptingAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
