using Microsoft.AspNetCore.Http;

namespace Micro.Edge;

/// <summary>
/// Where an edge piece is mapped in an app (<c>MapMicroGateway("/api")</c>, <c>MapMicroDashboard("/ops")</c>): inside,
/// it sees its own paths, and builds links, redirects and cookie paths from the request's path base.
/// </summary>
public static class EdgePathPrefix
{
    /// <summary><c>ops</c>, <c>/ops</c> and <c>/ops/</c> are <c>/ops</c>; empty and <c>/</c> are no prefix.</summary>
    public static PathString Normalize(string? prefix)
        => new(prefix?.TrimEnd('/') is { Length: > 0 } p ? (p.StartsWith('/') ? p : "/" + p) : "");

    /// <summary>Moves <paramref name="prefix"/> from the request's path to its path base (nothing when it has no such prefix).</summary>
    public static void MoveIntoPathBase(HttpContext context, PathString prefix)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (prefix.HasValue && context.Request.Path.StartsWithSegments(prefix, out var rest))
        {
            context.Request.PathBase = context.Request.PathBase.Add(prefix);
            context.Request.Path = rest.HasValue ? rest : "/";
        }
    }
}
