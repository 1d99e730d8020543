using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Micro.Edge;

/// <summary>
/// Keeps web pages the operator has open from using a server on their behalf (the dashboard, the proxy). Any page can
/// send a request to a loopback port, and DNS rebinding can make it a same-origin one, so:
/// <list type="bullet">
/// <item>on loopback (see <see cref="LoopbackHostRule"/>), only loopback <c>Host</c> names are served (a rebound name like
///   <c>evil.example</c> is refused);</item>
/// <item>a state-changing request (POST, PUT, PATCH, DELETE) needs <c>Content-Type: application/json</c>, which a page
///   cannot send cross-origin without a preflight nobody answers; forms that must post are listed in <paramref name="formPaths"/>;</item>
/// <item>a state-changing request and a WebSocket upgrade that carry <c>Origin</c> (every browser sends it there) must come
///   from this server's own origin: <c>Origin: null</c> (a sandboxed page) and other sites are refused.</item>
/// </list>
/// Programs (the CLI, curl, services) send no <c>Origin</c> and are not affected.
/// </summary>
/// <param name="errorId">The <c>id</c> of refusals' error JSON.</param>
/// <param name="hosts">When <c>Host</c> must be a loopback name.</param>
/// <param name="formPaths">Paths whose POST is an HTML form (the sign-in): exempt from the JSON rule, not from the origin rule.</param>
public sealed class BrowserGuard(string errorId, LoopbackHostRule hosts, IReadOnlySet<string> formPaths, ILogger<BrowserGuard> logger)
{
    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (Refusal(context) is { } refusal)
        {
            logger.LogWarning("Refused {Method} {Path} from {Remote}: {Reason}", context.Request.Method, context.Request.Path, context.Connection.RemoteIpAddress, refusal.Detail);
            await EdgeErrors.WriteAsync(context, refusal).ConfigureAwait(false);
            return;
        }

        await next().ConfigureAwait(false);
    }

    /// <summary>Why the request is refused, or null when it may go on.</summary>
    public MicroException? Refusal(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        var loopbackOnly = hosts == LoopbackHostRule.Always
            || (hosts == LoopbackHostRule.OnLoopbackConnections && context.Connection.LocalIpAddress is { } local && IPAddress.IsLoopback(local));
        if (loopbackOnly && !IsLoopbackName(request.Host.Host))
        {
            return MicroException.Forbidden(errorId, $"Host '{Shown(request.Host.Value)}' is not a name of this loopback server (use 127.0.0.1, [::1] or localhost); requests through other names are refused, as DNS rebinding would send them");
        }

        var changes = HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method) || HttpMethods.IsDelete(request.Method);
        // Read from the headers: this may run before the WebSockets middleware has looked at the request.
        var upgrade = request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase);
        if (!changes && !upgrade)
        {
            return null;
        }

        if (request.Headers.Origin is { Count: > 0 } origin && !IsOwnOrigin(origin.ToString(), request))
        {
            return MicroException.Forbidden(errorId, $"Origin '{Shown(origin.ToString())}' is not this server's: {(upgrade ? "WebSocket connections" : "requests that change something")} are only taken from its own pages or from programs");
        }

        if (request.Headers["Sec-Fetch-Site"].ToString() is "cross-site" or "same-site")
        {
            return MicroException.Forbidden(errorId, "a request from another site cannot change anything here");
        }

        if (changes && !formPaths.Contains(request.Path.Value ?? "") && (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0 || request.ContentType is not null) && !IsJson(request.ContentType))
        {
            return new MicroException(errorId, StatusCodes.Status415UnsupportedMediaType, $"Content-Type '{Shown(request.ContentType ?? "")}' is not accepted: send the body as application/json");
        }

        return null;
    }

    /// <summary>localhost (and its subdomains, which resolve to loopback), 127.0.0.0/8 and ::1.</summary>
    public static bool IsLoopbackName(string host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return false;
        }

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        return IPAddress.TryParse(bare, out var ip) && IPAddress.IsLoopback(ip);
    }

    private static bool IsOwnOrigin(string origin, HttpRequest request)
        => Uri.TryCreate(origin, UriKind.Absolute, out var uri)
           && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
           && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);

    private static bool IsJson(string? contentType)
    {
        if (contentType is null)
        {
            return false;
        }

        var media = contentType.Split(';', 2)[0].Trim();
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    private static string Shown(string? text) => text is null ? "" : text.Length <= 80 ? text : text[..80] + "...";
}
