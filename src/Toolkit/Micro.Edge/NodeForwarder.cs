using System.Diagnostics;
using System.Net;
using Micro.Selector;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Micro.Edge;

/// <summary>
/// Reverse-proxies a request (websockets included) to a node of a registered service, chosen by the selector: only
/// registered services are reachable, never an address the caller names. YARP does the forwarding.
/// </summary>
/// <param name="allowLinkLocal"><c>--allow_link_local</c>: forward to nodes at link-local and metadata addresses too.</param>
/// <param name="replies">What replies lose and gain on the way back (the dashboard's web apps); null passes them as they are.</param>
/// <param name="timeProvider">Times each forward for the selector (its latency average); the system clock when null.</param>
public sealed class NodeForwarder(IHttpForwarder forwarder, ISelector selector, bool allowLinkLocal = false, ForwardedReplies? replies = null, TimeProvider? timeProvider = null) : IDisposable
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler
    {
        ConnectCallback = Micro.Transport.DialGuard.HttpConnect(allowLinkLocal), // host:port only, never link-local or metadata addresses
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
        ConnectTimeout = TimeSpan.FromSeconds(15),
    });

    /// <param name="pathPrefix">Stripped from the path before forwarding (and sent, after the request's path base, as <c>X-Micro-Web-Base-Path</c>); null keeps the path.</param>
    public async Task ForwardAsync(HttpContext context, string service, string? pathPrefix, TimeSpan? timeout)
    {
        ArgumentNullException.ThrowIfNull(context);
        SelectableNode node;
        try
        {
            node = await selector.SelectAsync(service, default, context.RequestAborted).ConfigureAwait(false);
        }
        catch (MicroException e) when (e.Code == 404)
        {
            throw MicroException.NotFound(EdgeErrors.GatewayId, $"no service {service} is registered to serve {context.Request.Path} ({e.Detail})");
        }

        var config = new ForwarderRequestConfig { ActivityTimeout = timeout ?? TimeSpan.FromSeconds(100) };
        var transformer = new Transformer(pathPrefix, replies);
        if (!Micro.Registry.NodeAddress.IsValid(node.Node.Address, out var problem))
        {
            selector.Report(service, node, NodeOutcome.Abandoned, TimeSpan.Zero);
            throw new MicroException(EdgeErrors.GatewayId, 502, $"{service} node {node.Node.Id} is registered with an address Micro does not forward to: {problem}");
        }

        var started = _time.GetTimestamp();
        ForwarderError error;
        try
        {
            error = await forwarder.SendAsync(context, "http://" + node.Node.Address, _client, config, transformer).ConfigureAwait(false);
        }
        catch
        {
            selector.Report(service, node, NodeOutcome.Abandoned, _time.GetElapsedTime(started));
            throw;
        }

        // A request the browser cancelled says nothing about the node.
        var outcome = error == ForwarderError.None ? NodeOutcome.Success
            : error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeResponseCanceled ? NodeOutcome.Abandoned
            : NodeOutcome.Failure;
        selector.Report(service, node, outcome, _time.GetElapsedTime(started));
        if (error != ForwarderError.None && !context.Response.HasStarted
            && context.Features.Get<IForwarderErrorFeature>()?.Exception is { } failure && FindRefusal(failure) is { } refusal)
        {
            throw new MicroException(EdgeErrors.GatewayId, 502, $"{service} was not forwarded to: {refusal.Detail}");
        }

        if (error != ForwarderError.None && !context.Response.HasStarted)
        {
            var status = error == ForwarderError.RequestTimedOut ? 504 : 502;
            throw new MicroException(EdgeErrors.GatewayId, status, $"{service} did not answer {context.Request.Path}: {error}");
        }
    }

    public void Dispose() => _client.Dispose();

    private static MicroException? FindRefusal(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is MicroException refusal)
            {
                return refusal;
            }
        }

        return null;
    }

    /// <summary>Strips the path prefix, the credentials and Micro-* headers on the way in; applies <see cref="ForwardedReplies"/> on the way out.</summary>
    private sealed class Transformer(string? prefix, ForwardedReplies? replies) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
            ForwardedHeaders.Apply(httpContext, proxyRequest, replies is null ? null : replies.KeepCookie);
            proxyRequest.Headers.Remove("X-Micro-Web-Base-Path");
            if (prefix is not null)
            {
                var path = httpContext.Request.Path.Value ?? "/";
                var rest = path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? path[prefix.Length..] : path;
                proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, new PathString(rest.Length == 0 ? "/" : rest), httpContext.Request.QueryString);
                // Where the app is in the browser's eyes: under the path base of a dashboard mapped at a prefix too.
                proxyRequest.Headers.TryAddWithoutValidation("X-Micro-Web-Base-Path", httpContext.Request.PathBase.Add(new PathString(prefix)).Value);
            }
        }

        public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
        {
            var go = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
            if (replies is not null)
            {
                replies.Apply(httpContext.Response);
            }

            return go;
        }
    }
}
