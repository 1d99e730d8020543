using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Micro.Broker;
using Micro.Client;
using Micro.Codec;
using Micro.Registry;
using Micro.Transport;
using Micro.Transport.Http;

namespace Micro.Proxy;

/// <summary>
/// The client side of <c>micro proxy</c>: a registry, a client and a broker that do everything through the proxy's HTTP
/// endpoints, so tools work against an environment whose registry and transport they cannot reach.
/// </summary>
public sealed class ProxyConnection : IAsyncDisposable
{
    private readonly HttpClient _http;

    /// <param name="address">The proxy, e.g. <c>http://127.0.0.1:8081</c> (a bare <c>host:port</c> means http).</param>
    /// <param name="token">Sent as <c>Authorization: Bearer</c> when the proxy asks for one.</param>
    public ProxyConnection(string address, string? token = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        if (!address.Contains("://", StringComparison.Ordinal))
        {
            address = "http://" + address;
        }

        if (!Uri.TryCreate(address.TrimEnd('/') + "/", UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"--proxy_address '{address}' is not an http(s) URL like http://127.0.0.1:8081");
        }

        BaseUri = baseUri;
        Token = token;
        _http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(5) };
        if (token is { Length: > 0 })
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        Registry = new ProxyRegistry(this);
        Client = new ProxyClient(this);
        Broker = new ProxyBroker(this);
    }

    public Uri BaseUri { get; }

    internal string? Token { get; }

    public IRegistry Registry { get; }

    public IMicroClient Client { get; }

    public IBroker Broker { get; }

    internal HttpClient Http => _http;

    internal Uri WebSocketUri(string pathAndQuery)
        => new((BaseUri.Scheme == "https" ? "wss://" : "ws://") + BaseUri.Authority + "/" + pathAndQuery.TrimStart('/'));

    internal void Authorize(ClientWebSocketOptions options)
    {
        if (Token is { Length: > 0 })
        {
            options.SetRequestHeader("Authorization", "Bearer " + Token);
        }
    }

    /// <summary>Sends a request and returns the body; an error reply throws its <see cref="MicroException"/>.</summary>
    internal async Task<(byte[] Body, string ContentType)> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new MicroException("go.micro.proxy", 503, $"proxy {BaseUri} unreachable: {e.Message}", inner: e) { IsTransportError = true };
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var text = Encoding.UTF8.GetString(body);
                var error = MicroException.Parse(text.Length > 0 ? text : $"proxy answered {(int)response.StatusCode}");
                throw error.Code == 500 && error.Id.Length == 0 ? new MicroException("go.micro.proxy", (int)response.StatusCode, text) : error;
            }

            return (body, response.Content.Headers.ContentType?.MediaType ?? "application/json");
        }
    }

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class ProxyRegistry(ProxyConnection proxy) : IRegistry
    {
        public string Name => "proxy";

        public async ValueTask RegisterAsync(Service service, TimeSpan ttl, CancellationToken cancellationToken = default)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"registry?ttl={(int)Math.Ceiling(ttl.TotalSeconds)}") { Content = ServiceContent(service) };
            await proxy.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask DeregisterAsync(Service service, CancellationToken cancellationToken = default)
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, "registry") { Content = ServiceContent(service) };
            await proxy.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask<IReadOnlyList<Service>> GetServiceAsync(string name, CancellationToken cancellationToken = default)
        {
            try
            {
                return await GetAsync("registry?service=" + Uri.EscapeDataString(name), cancellationToken).ConfigureAwait(false);
            }
            catch (MicroException e) when (e.Code == 404)
            {
                return [];
            }
        }

        public async ValueTask<IReadOnlyList<Service>> ListServicesAsync(CancellationToken cancellationToken = default)
            => await GetAsync("registry", cancellationToken).ConfigureAwait(false);

        /// <summary>Polls the proxy once a second and reports what changed (the proxy has no watch endpoint).</summary>
        public IAsyncEnumerable<RegistryEvent> WatchAsync(string? service = null, CancellationToken cancellationToken = default) => WatchAsync(service, null, cancellationToken);

        public async IAsyncEnumerable<RegistryEvent> WatchAsync(string? service, Action? established, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var known = new Dictionary<string, Service>(StringComparer.Ordinal);
            while (!cancellationToken.IsCancellationRequested)
            {
                var now = new Dictionary<string, Service>(StringComparer.Ordinal);
                foreach (var s in await (service is null ? ListServicesAsync(cancellationToken) : GetServiceAsync(service, cancellationToken)).ConfigureAwait(false))
                {
                    foreach (var node in s.Nodes)
                    {
                        now[s.Name + "/" + node.Id] = s with { Nodes = [node] };
                    }
                }

                established?.Invoke(); // the first poll is taken: a change after it shows in the next
                established = null;
                foreach (var (key, s) in now.Where(n => !known.ContainsKey(n.Key)))
                {
                    yield return new RegistryEvent(RegistryAction.Create, s, DateTimeOffset.UtcNow);
                }

                foreach (var (key, s) in known.Where(k => !now.ContainsKey(k.Key)))
                {
                    yield return new RegistryEvent(RegistryAction.Delete, s, DateTimeOffset.UtcNow);
                }

                known = now;
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task<IReadOnlyList<Service>> GetAsync(string path, CancellationToken cancellationToken)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            var (body, _) = await proxy.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return JsonSerializer.Deserialize(body, RegistryJsonContext.Default.IReadOnlyListService) ?? [];
        }

        private static ByteArrayContent ServiceContent(Service service)
        {
            var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(service, RegistryJsonContext.Default.Service));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return content;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class ProxyClient(ProxyConnection proxy) : IMicroClient
    {
        public async ValueTask<MicroResponse> CallAsync(MicroRequest request, CallOptions? options = null, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(request);
            if (!request.ContentType.Contains("json", StringComparison.OrdinalIgnoreCase))
            {
                throw MicroException.BadRequest("go.micro.proxy", $"calls through the proxy carry JSON; {request.ContentType} cannot be sent");
            }

            JsonElement body;
            try
            {
                using var doc = JsonDocument.Parse(request.Body.IsEmpty ? "{}"u8.ToArray() : request.Body);
                body = doc.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw MicroException.BadRequest("go.micro.proxy", "the request is not valid JSON: " + e.Message);
            }

            var call = new RpcCall
            {
                Service = request.Service,
                Endpoint = request.Endpoint,
                Request = body,
                Address = options?.Address,
                Metadata = options?.Metadata is { } m ? new Dictionary<string, string>(m) : null,
                TimeoutMs = options?.Timeout is { } t ? (long)t.TotalMilliseconds : null,
            };
            using var message = new HttpRequestMessage(HttpMethod.Post, "rpc")
            {
                Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(call, ProxyJsonContext.Default.RpcCall)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
            };
            var (reply, contentType) = await proxy.SendAsync(message, cancellationToken).ConfigureAwait(false);
            return new MicroResponse(reply, contentType, new Dictionary<string, string>());
        }

        public async ValueTask<TResponse> CallAsync<TRequest, TResponse>(string service, string endpoint, TRequest request, CallOptions? options = null, CancellationToken cancellationToken = default)
        {
            var codec = CodecRegistry.Default.Get(JsonCodec.MediaType);
            var reply = await CallAsync(new MicroRequest(service, endpoint, codec.Encode(request)), options, cancellationToken).ConfigureAwait(false);
            return codec.Decode<TResponse>(reply.Body);
        }

        public async ValueTask<MicroStream> OpenStreamAsync(MicroRequest request, CallOptions? options = null, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(request);
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            {
                [MicroHeaders.Service] = request.Service,
                [MicroHeaders.Endpoint] = request.Endpoint,
                [MicroHeaders.ContentType] = request.ContentType,
            };
            var stream = await WebSocketStreams.OpenAsync(proxy.WebSocketUri("stream"), headers, TransportOptions.Default, proxy.Authorize, cancellationToken).ConfigureAwait(false);
            return new MicroStream(stream, request.ContentType, default);
        }

        public async ValueTask PublishAsync(MicroMessage message, PublishOptions? options = null, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(message);
            var header = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (k, v) in options?.Metadata ?? new Dictionary<string, string>())
            {
                header[k] = v;
            }

            header[MicroHeaders.ContentType] = message.ContentType;
            await proxy.Broker.PublishAsync(message.Topic, new BrokerMessage(header, message.Body), cancellationToken).ConfigureAwait(false);
        }

        public ValueTask PublishAsync<TMessage>(string topic, TMessage message, PublishOptions? options = null, CancellationToken cancellationToken = default)
            => PublishAsync(new MicroMessage(topic, CodecRegistry.Default.Get(JsonCodec.MediaType).Encode(message)), options, cancellationToken);
    }

    private sealed class ProxyBroker(ProxyConnection proxy) : IBroker
    {
        public string Name => "proxy";

        public string Address => proxy.BaseUri.ToString();

        public ValueTask ConnectAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public ValueTask DisconnectAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public async ValueTask PublishAsync(string topic, BrokerMessage message, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(message);
            var json = JsonSerializer.SerializeToUtf8Bytes(new ProxyMessage
            {
                Header = new Dictionary<string, string>(message.Headers, StringComparer.OrdinalIgnoreCase),
                Body = Encoding.UTF8.GetString(message.Body.Span),
            }, ProxyJsonContext.Default.ProxyMessage);
            using var request = new HttpRequestMessage(HttpMethod.Post, "broker?topic=" + Uri.EscapeDataString(topic))
            {
                Content = new ByteArrayContent(json) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
            };
            await proxy.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask<ISubscription> SubscribeAsync(string topic, BrokerHandler handler, SubscribeOptions? options = null, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(handler);
            options ??= SubscribeOptions.Default;
            var socket = new ClientWebSocket();
            proxy.Authorize(socket.Options);
            var query = "broker?topic=" + Uri.EscapeDataString(topic) + (options.Queue is { } q ? "&queue=" + Uri.EscapeDataString(q) : "");
            try
            {
                await socket.ConnectAsync(proxy.WebSocketUri(query), cancellationToken).ConfigureAwait(false);
            }
            catch (WebSocketException e)
            {
                socket.Dispose();
                throw new MicroException("go.micro.proxy", 503, $"cannot subscribe through proxy {proxy.BaseUri}: {e.Message}", inner: e) { IsTransportError = true };
            }

            return new Subscription(topic, options, socket, handler);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class Subscription : ISubscription
    {
        private readonly ClientWebSocket _socket;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _reading;

        public Subscription(string topic, SubscribeOptions options, ClientWebSocket socket, BrokerHandler handler)
        {
            Topic = topic;
            Options = options;
            _socket = socket;
            _reading = Task.Run(() => ReadAsync(handler));
        }

        public string Topic { get; }

        public SubscribeOptions Options { get; }

        private async Task ReadAsync(BrokerHandler handler)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    using var message = new MemoryStream();
                    WebSocketReceiveResult result;
                    do
                    {
                        result = await _socket.ReceiveAsync(buffer, _stop.Token).ConfigureAwait(false);
                        message.Write(buffer, 0, result.Count);
                    }
                    while (!result.EndOfMessage);

                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    var delivered = JsonSerializer.Deserialize(message.ToArray(), ProxyJsonContext.Default.ProxyMessage) ?? new ProxyMessage();
                    var brokerMessage = new BrokerMessage(new Dictionary<string, string>(delivered.Header, StringComparer.OrdinalIgnoreCase), Encoding.UTF8.GetBytes(delivered.Body));
                    await handler(new SimpleBrokerEvent(Topic, brokerMessage), _stop.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or JsonException)
            {
                // unsubscribed, or the proxy went away
            }
        }

        public async ValueTask UnsubscribeAsync(CancellationToken cancellationToken = default)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await _reading.ConfigureAwait(false);
            }
            finally
            {
                _socket.Dispose();
            }
        }

        public ValueTask DisposeAsync() => UnsubscribeAsync();
    }
}
