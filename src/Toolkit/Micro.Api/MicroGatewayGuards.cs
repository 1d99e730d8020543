using Micro.Edge.Auth;

namespace Micro.Api;

/// <summary>The gateway's --auth and --rate_limit as services of the app, so MapMicroGateway guards its paths with them.</summary>
internal sealed record MicroGatewayGuards(EdgeAuthMiddleware Middleware, GatewayRateLimiter? RateLimiter);
