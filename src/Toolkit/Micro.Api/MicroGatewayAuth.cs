using Micro.Edge.Auth;

namespace Micro.Api;

/// <summary>The gateway's --auth as a service of the app, so MapMicroGateway guards its paths with it.</summary>
internal sealed record MicroGatewayAuth(EdgeAuthMiddleware Middleware);
