using Microsoft.AspNetCore.Http;

namespace Micro.Api.Auth;

/// <summary>Who a request at the edge is, as an authenticator established it.</summary>
/// <param name="Subject">The caller: a JWT's <c>sub</c>, or the API key's name.</param>
/// <param name="Claims">What else is known of the caller (JWT claims as strings).</param>
public sealed record EdgeIdentity(string Subject, IReadOnlyDictionary<string, string> Claims);

/// <summary>
/// The hook the gateway calls before anything else: an identity lets the request in, null refuses it with a 401
/// (<paramref name="failure"/> says why, for the caller and the log). Implement it to check your own tokens.
/// </summary>
public interface IEdgeAuthenticator
{
    ValueTask<EdgeIdentity?> AuthenticateAsync(HttpContext context, Action<string> failure, CancellationToken cancellationToken);
}
