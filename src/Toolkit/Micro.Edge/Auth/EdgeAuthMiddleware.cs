using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Micro.Edge.Auth;

/// <summary>
/// Runs first at the edge: sets the secure response headers, lets CORS preflights through, and asks the authenticator
/// about everything else. A refusal is a 401 (go-micro error JSON, <c>WWW-Authenticate: Bearer</c>) and a log line with
/// the remote address and the reason; the credential itself is never logged.
/// </summary>
/// <param name="authenticator">The check; null lets everything in (the secure headers are still set).</param>
/// <param name="errorId">The <c>id</c> of refusals' error JSON (<c>go.micro.api</c>, <c>go.micro.proxy</c>).</param>
/// <param name="logger">Where refusals are logged.</param>
/// <param name="hint">Added to a refusal's detail: how this edge's callers send a credential.</param>
public sealed class EdgeAuthMiddleware(IEdgeAuthenticator? authenticator, string errorId, ILogger<EdgeAuthMiddleware> logger, string? hint = null)
{
    /// <summary>Where the identity of an authenticated request is kept (<c>HttpContext.Items</c>).</summary>
    public const string IdentityKey = "micro.identity";

    /// <summary>Who the request is, when an authenticator let it in; null without authentication.</summary>
    public static EdgeIdentity? IdentityOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items[IdentityKey] as EdgeIdentity;
    }

    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        // Set as the response starts, so error replies (which clear the response first) carry them too.
        context.Response.OnStarting(static state =>
        {
            var (response, challenge) = ((HttpResponse, bool))state;
            response.Headers.XContentTypeOptions = "nosniff";
            response.Headers["Referrer-Policy"] = "no-referrer";
            if (challenge && response.StatusCode == StatusCodes.Status401Unauthorized)
            {
                response.Headers.WWWAuthenticate = "Bearer";
            }

            return Task.CompletedTask;
        }, (context.Response, authenticator is not null));
        if (authenticator is null || HttpMethods.IsOptions(context.Request.Method))
        {
            await next().ConfigureAwait(false);
            return;
        }

        string? reason = null;
        var identity = await authenticator.AuthenticateAsync(context, r => reason = r, context.RequestAborted).ConfigureAwait(false);
        if (identity is null)
        {
            reason ??= "not authenticated";
            logger.LogInformation("Refused {Method} {Path} from {Remote}: {Reason}", context.Request.Method, context.Request.Path, context.Connection.RemoteIpAddress, reason);
            await EdgeErrors.WriteAsync(context, MicroException.Unauthorized(errorId, reason + hint)).ConfigureAwait(false);
            return;
        }

        context.Items[IdentityKey] = identity;
        await next().ConfigureAwait(false);
    }
}
