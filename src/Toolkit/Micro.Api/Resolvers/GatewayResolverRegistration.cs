namespace Micro.Api;

/// <summary>A gateway resolver by name: how <c>AddMicroGatewayResolver</c> adds one.</summary>
public sealed record GatewayResolverRegistration(string Name, Func<IServiceProvider, IGatewayResolver> Create);
