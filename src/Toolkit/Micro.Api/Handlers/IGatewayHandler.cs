using Microsoft.AspNetCore.Http;

namespace Micro.Api;

/// <summary>
/// Answers one request the gateway has routed: the built-in <c>rpc</c>, <c>api</c>, <c>http</c>/<c>proxy</c>/<c>web</c>
/// and <c>event</c>, or one of your own, registered by name with <c>AddMicroGatewayHandler</c> and chosen by
/// <see cref="ApiOptions.Handler"/> or an endpoint's <c>handler</c> metadata. Throw <see cref="MicroException"/> to answer
/// with an error (the gateway writes it as error JSON).
/// </summary>
public interface IGatewayHandler
{
    Task HandleAsync(HttpContext context, ApiRoute route);
}
