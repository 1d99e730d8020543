namespace Micro.Edge.Auth;

/// <summary>The authenticator named by configuration (<c>--auth none|api_key|jwt</c>).</summary>
public static class EdgeAuthentication
{
    /// <returns>Null for none; otherwise the authenticator, or an <see cref="ArgumentException"/> naming what is missing.</returns>
    public static IEdgeAuthenticator? Create(string? mode, string? keys, JwtOptions jwt)
        => (mode ?? "none").Trim().ToLowerInvariant() switch
        {
            "none" or "" => null,
            "api_key" or "apikey" => new ApiKeyAuthenticator((keys ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
            "jwt" => new JwtAuthenticator(jwt),
            var other => throw new ArgumentException($"--auth {other}: expected none, api_key or jwt"),
        };
}
