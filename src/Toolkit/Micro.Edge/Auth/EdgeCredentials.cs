using Microsoft.AspNetCore.Http;

namespace Micro.Edge.Auth;

/// <summary>The credential a request carries in <c>Authorization: Bearer ...</c>.</summary>
internal static class EdgeCredentials
{
    public static string? Bearer(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }
}
