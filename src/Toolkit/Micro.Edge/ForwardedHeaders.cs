using Microsoft.Net.Http.Headers;
using Microsoft.AspNetCore.Http;

namespace Micro.Edge;

/// <summary>
/// What a request forwarded to a node (the gateway's http, proxy and web handlers, the dashboard's web apps) loses and
/// gains: the caller's credentials (<c>Authorization</c>, <c>X-Api-Key</c>, <c>Proxy-Authorization</c>) and every
/// incoming <c>Micro-*</c> header are removed, so a backend can neither replay the credential nor be told a forged
/// <c>Micro-User</c>; <c>Micro-User</c> is set from who the edge signed in.
/// </summary>
public static class ForwardedHeaders
{
    private static readonly string[] Credentials = ["Authorization", "X-Api-Key", "Proxy-Authorization"];

    /// <param name="keptCookies">Cookies passed on: null keeps none (the gateway: its origin's cookies are no backend's business).</param>
    public static void Apply(HttpContext context, HttpRequestMessage proxyRequest, Func<string, bool>? keptCookies)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(proxyRequest);
        foreach (var name in Credentials)
        {
            proxyRequest.Headers.Remove(name);
        }

        foreach (var name in proxyRequest.Headers.Select(h => h.Key).Where(k => k.StartsWith("Micro-", StringComparison.OrdinalIgnoreCase)).ToArray())
        {
            proxyRequest.Headers.Remove(name);
        }

        proxyRequest.Headers.Remove("Cookie");
        if (keptCookies is not null)
        {
            var kept = context.Request.Cookies.Where(c => keptCookies(c.Key)).Select(c => c.Key + "=" + c.Value).ToArray();
            if (kept.Length > 0)
            {
                proxyRequest.Headers.TryAddWithoutValidation("Cookie", string.Join("; ", kept));
            }
        }

        if (Auth.EdgeAuthMiddleware.IdentityOf(context) is { } identity)
        {
            proxyRequest.Headers.TryAddWithoutValidation(Micro.Transport.MicroHeaders.User, identity.Subject);
        }
    }

    /// <summary>True when a <c>Set-Cookie</c> value sets the cookie <paramref name="name"/>.</summary>
    public static bool SetsCookie(string setCookie, string name)
        => SetCookieHeaderValue.TryParse(setCookie, out var parsed) ? string.Equals(parsed.Name.Value, name, StringComparison.OrdinalIgnoreCase)
            : setCookie.TrimStart().StartsWith(name + "=", StringComparison.OrdinalIgnoreCase);
}
