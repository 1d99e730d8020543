using Microsoft.AspNetCore.Http;

namespace Micro.Api;

/// <summary>go-micro's path rules (<see cref="ApiRouteResolver"/>) under one of their names.</summary>
internal sealed class PathRulesResolver(string name) : IGatewayResolver
{
    public ApiRoute? Resolve(HttpRequest request, string path, string ns) => ApiRouteResolver.Resolve(name, ns, path, request.Host.Host);
}
