using System.Security.Claims;
using Micro.Edge;
using Micro.Edge.Auth;
using Microsoft.AspNetCore.Http;

namespace Micro.Mcp;

/// <summary>
/// Who makes a tool call: over HTTP the identity the edge authenticator signed in (else the client's address); over
/// stdio <c>local</c>, the agent host that started the server. <see cref="Name"/> names the caller in audit lines and
/// rate-limit buckets; <see cref="Subject"/> is what <c>--mcp_allow</c> matches and calls carry as <c>Micro-User</c>.
/// </summary>
internal sealed record McpCaller(string Name, string? Subject, bool Authenticated)
{
    private const string AuthenticationType = "micro-edge";
    private const string AddressClaim = "micro:address";

    public static McpCaller Local { get; } = new("local", "local", Authenticated: false);

    /// <summary>The caller of a message, from the principal the HTTP transport hands the SDK (null over stdio).</summary>
    public static McpCaller Of(ClaimsPrincipal? user)
    {
        if (user?.Identity is { IsAuthenticated: true, Name: { Length: > 0 } subject })
        {
            return new McpCaller("user " + subject, subject, Authenticated: true);
        }

        return user?.FindFirst(AddressClaim) is { } address ? new McpCaller("address " + address.Value, null, Authenticated: false) : Local;
    }

    /// <summary>
    /// What the HTTP request carries to the SDK, which passes <c>HttpContext.User</c> on with each message: the
    /// authenticated subject, or for an unauthenticated request its address (so it is not taken for <c>local</c>).
    /// </summary>
    public static ClaimsPrincipal Principal(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (EdgeAuthMiddleware.IdentityOf(context) is { } identity)
        {
            // NameIdentifier too: the SDK binds a Streamable HTTP session to it, so another identity cannot use the session's id.
            return new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, identity.Subject), new Claim(ClaimTypes.NameIdentifier, identity.Subject)], AuthenticationType));
        }

        return new ClaimsPrincipal(new ClaimsIdentity([new Claim(AddressClaim, CallerRateLimiter.AddressOf(context.Connection.RemoteIpAddress))]));
    }
}
