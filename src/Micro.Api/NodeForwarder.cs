using System.Diagnostics;
using System.Net;
using Micro.Selector;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms;

namespace Micro.Api;

/// <summary>
/// Reverse-proxies a request (websockets included) to a node of a registered service, chosen by the selector: only
/// registered services are reachable, never an address the caller names. YARP does the forwarding.
/// </summary>
public sealed class NodeForwarder(IHttpForwarder forwarder, RegistrySelector selector) : IDisposable
{
    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
        ConnectTimeout = TimeSpan.FromSeconds(15),
    });

    /// <param name="pathPrefix">Stripped from the path before forwarding (and sent as <c>X-Micro-Web-Base-Path</c>); null keeps the path.</param>
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
            throw MicroException.NotFound(ApiErrors.GatewayId, $"no service {service} is registered to serve {context.Request.Path} ({e.Detail})");
        }

        var config = new ForwarderRequestConfig { ActivityTimeout = timeout ?? TimeSpan.FromSeconds(100) };
        var transformer = pathPrefix is null ? HttpTransformer.Default : new PrefixStripper(pathPrefix);
        var error = await forwarder.SendAsync(context, "http://" + node.Node.Address, _client, config, transformer).ConfigureAwait(false);
        selector.Mark(service, node.Node.Id, error == ForwarderError.None);
        if (error != ForwarderError.None && !context.Response.HasStarted)
        {
            var status = error == ForwarderError.RequestTimedOut ? 504 : 502;
            throw new MicroException(ApiErrors.GatewayId, status, $"{service} did not answer {context.Request.Path}: {error}");
        }
    }

    public void Dispose() => _client.Dispose();

    private sealed class PrefixStripper(string prefix) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
            var path = httpContext.Request.Path.Value ?? "/";
            var rest = path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? path[prefix.Length..] : path;
            proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, new PathString(rest.Length == 0 ? "/" : rest), httpContext.Request.QueryString);
            proxyRequest.Headers.Remove("X-Micro-Web-Base-Path");
            proxyRequest.Headers.TryAddWithoutValidation("X-Micro-Web-Base-Path", prefix);
        }
    }
}
