using Micro.Edge;
using Micro.Edge.Auth;
using Microsoft.AspNetCore.Http;

namespace Micro.Mcp;

/// <summary>
/// What stands before the Streamable HTTP endpoint. MCP's transport rules ask servers to check <c>Origin</c> against DNS
/// rebinding, so: the browser guard (loopback <c>Host</c> names on loopback, JSON-only POSTs), then any request that
/// carries an <c>Origin</c> other than this server's own is refused, GET streams included (agents are programs and
/// send none); then the edge authenticator. The identity it signs in becomes the request's user, which the SDK hands
/// every message of the session and binds the session to.
/// </summary>
internal sealed class McpHttpGuard(BrowserGuard browsers, EdgeAuthMiddleware auth)
{
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var refusal = browsers.Refusal(context) ?? ForeignOrigin(context);
        if (refusal is not null)
        {
            return EdgeErrors.WriteAsync(context, refusal);
        }

        return auth.InvokeAsync(context, () =>
        {
            context.User = McpCaller.Principal(context);
            return next(context);
        });
    }

    private static MicroException? ForeignOrigin(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return null;
        }

        var own = context.Request.Scheme + "://" + context.Request.Host.Value;
        return string.Equals(origin, own, StringComparison.OrdinalIgnoreCase)
            ? null
            : MicroException.Forbidden(McpErrors.Id, $"requests from web pages (Origin {new string([.. origin.Where(c => !char.IsControl(c)).Take(100)])}) are refused: MCP clients are programs and send no Origin");
    }
}
