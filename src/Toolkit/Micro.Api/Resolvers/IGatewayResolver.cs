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
