using System.Net;
using Micro.Selector;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Transforms;

namespace Micro.Edge;

/// <summary>
/// What replies from proxied web apps lose and gain when they share an origin with something they must not act as
/// (the dashboard): a <c>Set-Cookie</c> for a protected cookie is dropped, and a sandboxing Content-Security-Policy is
/// added, so the app's pages run in an opaque origin that cannot read the dashboard's pages or send its cookie.
/// </summary>
/// <param name="ProtectedCookie">The cookie a web app may neither set nor receive.</param>
/// <param name="ContentSecurityPolicy">Added to every reply (null: none).</param>
public sealed record ForwardedReplies(string ProtectedCookie, string? ContentSecurityPolicy)
{
    /// <summary>The sandbox web apps on the dashboard's origin run in: scripts, forms and popups work, the origin is opaque.</summary>
    public const string Sandbox = "sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads";

    internal bool KeepCookie(string name) => !string.Equals(name, ProtectedCookie, StringComparison.OrdinalIgnoreCase);

    internal void Apply(HttpResponse response)
    {
        var cookies = response.Headers.SetCookie;
        if (cookies.Count > 0 && cookies.Any(c => c is not null && ForwardedHeaders.SetsCookie(c, ProtectedCookie)))
        {
            response.Headers.SetCookie = cookies.Where(c => c is not null && !ForwardedHeaders.SetsCookie(c, ProtectedCookie)).ToArray();
        }

        if (ContentSecurityPolicy is not null)
        {
            response.Headers.Append("Content-Security-Policy", ContentSecurityPolicy); // both apply: the app's own and the sandbox
        }
    }
}
