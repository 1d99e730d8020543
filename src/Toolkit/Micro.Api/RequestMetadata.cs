using Microsoft.AspNetCore.Http;

namespace Micro.Api;

/// <summary>HTTP request headers as RPC metadata (what go-micro's gateway passes on), minus HTTP's own and Micro's.</summary>
public static class RequestMetadata
{
    private static readonly HashSet<string> Dropped = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Content-Length", "Content-Type", "Transfer-Encoding", "Keep-Alive", "Upgrade", "Expect",
        "Accept", "Accept-Encoding", "TE", "Trailer", "Proxy-Connection", "Proxy-Authorization",
        // Credentials stay at the edge: a service that got them could replay them; services learn who called from Micro-User.
        "Authorization", "X-Api-Key", "Cookie",
    };

    public static Dictionary<string, string> From(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in request.Headers)
        {
            // Micro-* headers steer routing and identity between services; a caller at the edge does not set them.
            if (!Dropped.Contains(key) && !key.StartsWith("Micro-", StringComparison.OrdinalIgnoreCase))
            {
                metadata[key] = value.ToString();
            }
        }

        if (Micro.Edge.Auth.EdgeAuthMiddleware.IdentityOf(request.HttpContext) is { } identity)
        {
            metadata[Micro.Transport.MicroHeaders.User] = identity.Subject;
        }

        if (request.HttpContext.Connection.RemoteIpAddress is { } remote)
        {
            metadata["X-Forwarded-For"] = metadata.TryGetValue("X-Forwarded-For", out var chain) ? chain + ", " + remote : remote.ToString();
        }

        return metadata;
    }
}
