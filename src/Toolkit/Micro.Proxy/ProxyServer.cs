using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Micro.Edge;
using Micro.Edge.Auth;
using Micro.Broker;
using Micro.Client;
using Micro.Hosting;
using Micro.Registry;
using Micro.Transport;
using Micro.Transport.Http;
using Micro.Transport.Tcp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Micro.Proxy;

/// <summary>
/// <c>micro proxy</c>: <c>/registry</c> (GET <c>?service=</c>, POST to register with <c>?ttl=</c> seconds, DELETE to
/// deregister), <c>/rpc</c>, <c>/stream</c> (WebSocket), <c>/broker</c> (WebSocket <c>?topic=&amp;queue=</c>, or POST
/// <c>?topic=</c> to publish) and <c>/health</c>, over one environment. Calls reach only registered services and, with an
/// address, only that service's registered nodes: the proxy is never an open relay.
/// </summary>
public sealed class ProxyServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ProxyServer(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    public string Address { get; }

    public static async Task<ProxyServer> StartAsync(ProxyOptions options, MicroEnvironment environment, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        var endPoint = await TcpAddress.ResolveAsync(options.Address, cancellationToken).ConfigureAwait(false);
        var loopback = IPAddress.IsLoopback(endPoint.Address);
        if (!loopback && ProxyEndpoints.AuthenticatorOf(options) is null && !options.Insecure)
        {
            throw new ArgumentException($"micro proxy would listen on {options.Address}, beyond this machine, with no --auth or --auth_token: anyone who reaches it could register services and call every one. " +
                "Add --auth api_key|jwt or --auth_token, or --insecure to accept that.");
        }

        // A thin host: the same MapMicroProxy an app can use, alone on its own Kestrel, bound to loopback or not.
        var proxy = new ProxyEndpoints(options, new ProxyBackend(environment.Registry, environment.Client, environment.Broker, environment.Settings.RegisterTtl), loopback ? LoopbackHostRule.Always : LoopbackHostRule.Never, loggerFactory ?? NullLoggerFactory.Instance);
        var (app, bound) = await KestrelEndpoint.StartAsync(endPoint, app =>
        {
            app.UseWebSockets();
            proxy.Map(app);
        }, kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes, null, options.Tls, cancellationToken).ConfigureAwait(false);
        return new ProxyServer(app, bound);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    internal sealed class Handlers(ProxyOptions options, ProxyBackend backend) : ITransportStreamHandler
    {
        /// <summary>The longest registration <c>?ttl=</c> may ask for: a node that stops renewing is gone within the hour.</summary>
        private const int MaxTtlSeconds = 3600;

        /// <summary>--auth's authenticator, else --auth_token as the one API key, else none.</summary>
        public IEdgeAuthenticator? Authenticator { get; } = ProxyEndpoints.AuthenticatorOf(options);

        /// <summary>Errors from the handlers as go-micro error JSON.</summary>
        public async Task ErrorsAsync(HttpContext context, Func<Task> next)
        {
            try
            {
                await next().ConfigureAwait(false);
            }
            catch (MicroException e)
            {
                await WriteErrorAsync(context, e).ConfigureAwait(false);
            }
            catch (BadHttpRequestException e)
            {
                await WriteErrorAsync(context, new MicroException("go.micro.proxy", e.StatusCode, e.Message)).ConfigureAwait(false);
            }
        }

        public async Task GetRegistryAsync(HttpContext context)
        {
            var name = context.Request.Query["service"].ToString();
            var services = name.Length == 0
                ? await backend.Registry.ListServicesAsync(context.RequestAborted).ConfigureAwait(false)
                : await backend.Registry.GetServiceAsync(name, context.RequestAborted).ConfigureAwait(false);
            if (name.Length > 0 && services.Count == 0)
            {
                throw MicroException.NotFound("go.micro.proxy", $"service {name} not found in the {backend.Registry.Name} registry");
            }

            context.Response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(context.Response.Body, services, RegistryJsonContext.Default.IReadOnlyListService, context.RequestAborted).ConfigureAwait(false);
        }

        public async Task RegisterAsync(HttpContext context)
        {
            var service = await ReadServiceAsync(context).ConfigureAwait(false);
            var ttl = backend.RegisterTtl;
            if (context.Request.Query["ttl"] is { Count: > 0 } given)
            {
                if (!int.TryParse(given, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds) || seconds is < 1 or > MaxTtlSeconds)
                {
                    throw MicroException.BadRequest("go.micro.proxy", $"?ttl={given} is not a number of seconds from 1 to {MaxTtlSeconds} (1 h)");
                }

                ttl = TimeSpan.FromSeconds(seconds);
            }

            await backend.Registry.RegisterAsync(service, ttl, context.RequestAborted).ConfigureAwait(false);
            context.Response.StatusCode = StatusCodes.Status200OK;
        }

        public async Task DeregisterAsync(HttpContext context)
        {
            var service = await ReadServiceAsync(context).ConfigureAwait(false);
            await backend.Registry.DeregisterAsync(service, context.RequestAborted).ConfigureAwait(false);
            context.Response.StatusCode = StatusCodes.Status200OK;
        }

        private static async Task<Service> ReadServiceAsync(HttpContext context)
        {
            Service? service;
            try
            {
                service = await JsonSerializer.DeserializeAsync(context.Request.Body, RegistryJsonContext.Default.Service, context.RequestAborted).ConfigureAwait(false);
            }
            catch (JsonException e)
            {
                throw MicroException.BadRequest("go.micro.proxy", "the body is not a service JSON {name, version, endpoints, nodes}: " + e.Message);
            }

            if (service is null || string.IsNullOrWhiteSpace(service.Name) || service.Nodes.Count == 0)
            {
                throw MicroException.BadRequest("go.micro.proxy", "a service needs a name and at least one node");
            }

            if (!NodeAddress.AreValid(service, out var problem))
            {
                throw MicroException.BadRequest("go.micro.proxy", problem);
            }

            return service;
        }

        public async Task RpcAsync(HttpContext context)
        {
            RpcCall? call;
            try
            {
                call = await JsonSerializer.DeserializeAsync(context.Request.Body, ProxyJsonContext.Default.RpcCall, context.RequestAborted).ConfigureAwait(false);
            }
            catch (JsonException e)
            {
                throw MicroException.BadRequest("go.micro.proxy", "/rpc takes {\"service\", \"endpoint\", \"request\"}: " + e.Message);
            }

            var endpoint = call?.Endpoint ?? call?.Method;
            if (call?.Service is not { Length: > 0 } service || endpoint is not { Length: > 0 })
            {
                throw MicroException.BadRequest("go.micro.proxy", "/rpc needs both \"service\" and \"endpoint\"");
            }

            if (call.Address is { Length: > 0 } address)
            {
                await CheckNodeAsync(service, address, context.RequestAborted).ConfigureAwait(false);
            }

            var body = call.Request is { } r ? Encoding.UTF8.GetBytes(r.GetRawText()) : "{}"u8.ToArray();
            var callOptions = new CallOptions
            {
                Address = call.Address,
                Metadata = WithCaller(context, call.Metadata),
                Timeout = call.TimeoutMs is > 0 ? TimeSpan.FromMilliseconds(call.TimeoutMs.Value) : null,
            };
            var reply = await backend.Client.CallAsync(new MicroRequest(service, endpoint, body), callOptions, context.RequestAborted).ConfigureAwait(false);
            context.Response.ContentType = reply.ContentType;
            await context.Response.Body.WriteAsync(reply.Body, context.RequestAborted).ConfigureAwait(false);
        }

        /// <summary>
        /// The caller's metadata without <c>Micro-*</c> keys (Micro sets those, so a caller cannot claim to be someone);
        /// with auth on, services learn who called from <c>Micro-User</c>, set here.
        /// </summary>
        private static Dictionary<string, string>? WithCaller(HttpContext context, Dictionary<string, string>? metadata)
        {
            var identity = EdgeAuthMiddleware.IdentityOf(context);
            if (identity is null && (metadata is null || !metadata.Keys.Any(k => k.StartsWith("Micro-", StringComparison.OrdinalIgnoreCase))))
            {
                return metadata;
            }

            var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (key, value) in metadata ?? [])
            {
                if (!key.StartsWith("Micro-", StringComparison.OrdinalIgnoreCase))
                {
                    result[key] = value;
                }
            }

            if (identity is not null)
            {
                result[MicroHeaders.User] = identity.Subject;
            }

            return result;
        }

        /// <summary>An address must be a registered node of the service: nothing else is reachable through the proxy.</summary>
        private async Task CheckNodeAsync(string service, string address, CancellationToken cancellationToken)
        {
            if (!await backend.Registry.HasNodeAtAsync(service, address, cancellationToken).ConfigureAwait(false))
            {
                throw MicroException.Forbidden("go.micro.proxy", $"{address} is not a registered node of {service}; the proxy only reaches registered nodes");
            }
        }

        /// <summary>A stream through the proxy: the WebSocket side bridged to a stream to the service.</summary>
        public async ValueTask HandleStreamAsync(ITransportStream incoming, TransportPeer peer, CancellationToken cancellationToken)
        {
            var service = incoming.Headers.GetValueOrDefault(MicroHeaders.Service) ?? "";
            var endpoint = incoming.Headers.GetValueOrDefault(MicroHeaders.Endpoint) ?? "";
            var contentType = incoming.Headers.GetValueOrDefault(MicroHeaders.ContentType) ?? "application/json";
            MicroStream outgoing;
            try
            {
                outgoing = await backend.Client.OpenStreamAsync(new MicroRequest(service, endpoint, default, contentType), null, cancellationToken).ConfigureAwait(false);
            }
            catch (MicroException e)
            {
                await incoming.CompleteAsync(e.ToJson(), CancellationToken.None).ConfigureAwait(false);
                return;
            }

            await using (outgoing.ConfigureAwait(false))
            {
                var up = Task.Run(async () =>
                {
                    while (await incoming.ReceiveAsync(cancellationToken).ConfigureAwait(false) is { } message)
                    {
                        await outgoing.SendAsync(message, cancellationToken).ConfigureAwait(false);
                    }

                    await outgoing.CompleteAsync(cancellationToken).ConfigureAwait(false);
                }, cancellationToken);
                try
                {
                    await foreach (var message in outgoing.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                    {
                        await incoming.SendAsync(message, cancellationToken).ConfigureAwait(false);
                    }

                    await up.ConfigureAwait(false);
                    await incoming.CompleteAsync(null, CancellationToken.None).ConfigureAwait(false);
                }
                catch (MicroException e)
                {
                    await incoming.CompleteAsync(e.ToJson(), CancellationToken.None).ConfigureAwait(false);
                }
            }
        }

        /// <summary>
        /// <c>/broker</c>: a WebSocket subscribes to <c>?topic=</c> (in <c>&amp;queue=</c>) and gets each message as
        /// <c>{header, body}</c>; what it sends is published. A POST publishes one <c>{header, body}</c>.
        /// </summary>
        public async Task BrokerAsync(HttpContext context)
        {
            var topic = context.Request.Query["topic"].ToString();
            if (topic.Length == 0)
            {
                throw MicroException.BadRequest("go.micro.proxy", "/broker needs ?topic=");
            }

            if (!context.WebSockets.IsWebSocketRequest)
            {
                if (!HttpMethods.IsPost(context.Request.Method))
                {
                    throw MicroException.MethodNotAllowed("go.micro.proxy", "/broker takes a WebSocket (subscribe) or POST (publish)");
                }

                ProxyMessage? message;
                try
                {
                    message = await JsonSerializer.DeserializeAsync(context.Request.Body, ProxyJsonContext.Default.ProxyMessage, context.RequestAborted).ConfigureAwait(false);
                }
                catch (JsonException e)
                {
                    throw MicroException.BadRequest("go.micro.proxy", "publish takes {\"header\": {...}, \"body\": \"...\"}: " + e.Message);
                }

                await PublishAsync(topic, message ?? new ProxyMessage(), context.RequestAborted).ConfigureAwait(false);
                context.Response.StatusCode = StatusCodes.Status200OK;
                return;
            }

            var queue = context.Request.Query["queue"].ToString();
            using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
            var sendLock = new SemaphoreSlim(1, 1);
            await using var subscription = await backend.Broker.SubscribeAsync(topic, async (delivery, ct) =>
            {
                var json = JsonSerializer.SerializeToUtf8Bytes(new ProxyMessage
                {
                    Header = new Dictionary<string, string>(delivery.Message.Headers, StringComparer.OrdinalIgnoreCase),
                    Body = Encoding.UTF8.GetString(delivery.Message.Body.Span),
                }, ProxyJsonContext.Default.ProxyMessage);
                await sendLock.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    await socket.SendAsync(json, WebSocketMessageType.Text, true, ct).ConfigureAwait(false);
                }
                finally
                {
                    sendLock.Release();
                }
            }, new SubscribeOptions { Queue = queue.Length > 0 ? queue : null }, context.RequestAborted).ConfigureAwait(false);

            var buffer = new byte[64 * 1024];
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    using var message = new MemoryStream();
                    WebSocketReceiveResult result;
                    do
                    {
                        result = await socket.ReceiveAsync(buffer, context.RequestAborted).ConfigureAwait(false);
                        message.Write(buffer, 0, result.Count);
                    }
                    while (!result.EndOfMessage && message.Length <= options.MaxBodyBytes);

                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).ConfigureAwait(false);
                        break;
                    }

                    var text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
                    var published = text.TrimStart().StartsWith('{') && TryParse(text) is { } m ? m : new ProxyMessage { Body = text };
                    await PublishAsync(topic, published, context.RequestAborted).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // the subscriber went away
            }
        }

        private static ProxyMessage? TryParse(string text)
        {
            try
            {
                return JsonSerializer.Deserialize(text, ProxyJsonContext.Default.ProxyMessage);
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private ValueTask PublishAsync(string topic, ProxyMessage message, CancellationToken cancellationToken)
        {
            var header = new Dictionary<string, string>(message.Header, StringComparer.OrdinalIgnoreCase);
            header.TryAdd(MicroHeaders.ContentType, "application/json");
            header[MicroHeaders.Topic] = topic;
            header.TryAdd(MicroHeaders.Id, Guid.NewGuid().ToString());
            return backend.Broker.PublishAsync(topic, new BrokerMessage(header, Encoding.UTF8.GetBytes(message.Body)), cancellationToken);
        }

        private static Task WriteErrorAsync(HttpContext context, MicroException error)
        {
            if (context.Response.HasStarted)
            {
                context.Abort();
                return Task.CompletedTask;
            }

            context.Response.StatusCode = error.Code is >= 400 and <= 599 ? error.Code : StatusCodes.Status500InternalServerError;
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(error.ToJson(), context.RequestAborted);
        }
    }
}
