using Microsoft.AspNetCore.Http;

namespace Micro.Edge.Auth;

/// <summary>
/// The hook the gateway calls before anything else: an identity lets the request in, null refuses it with a 401
/// (<paramref name="failure"/> says why, for the caller and the log). Implement it to check your own tokens.
/// </summary>
public interface IEdgeAuthenticator
{
    ValueTask<EdgeIdentity?> AuthenticateAsync(HttpContext context, Action<string> failure, CancellationToken cancellationToken);
}
