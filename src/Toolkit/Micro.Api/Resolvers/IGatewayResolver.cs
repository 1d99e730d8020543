using Microsoft.AspNetCore.Http;

namespace Micro.Api;

/// <summary>
/// Turns a request into a route (service and endpoint): the built-in <c>micro</c>, <c>path</c> and <c>host</c>, or one of
/// your own, registered by name with <c>AddMicroGatewayResolver</c> and chosen by <see cref="ApiOptions.Resolver"/>.
/// Null: nothing to route (a 404 saying how paths are read).
/// </summary>
public interface IGatewayResolver
{
    ApiRoute? Resolve(HttpRequest request, string path, string ns);
}

/// <summary>A gateway resolver by name: how <c>AddMicroGatewayResolver</c> adds one.</summary>
public sealed record GatewayResolverRegistration(string Name, Func<IServiceProvider, IGatewayResolver> Create);

/// <summary>go-micro's path rules (<see cref="ApiRouteResolver"/>) under one of their names.</summary>
internal sealed class PathRulesResolver(string name) : IGatewayResolver
{
    public ApiRoute? Resolve(HttpRequest request, string path, string ns) => ApiRouteResolver.Resolve(name, ns, path, request.Host.Host);
}
