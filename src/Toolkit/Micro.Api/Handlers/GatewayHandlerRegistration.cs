namespace Micro.Api;

/// <summary>A gateway handler by name: how <c>AddMicroGatewayHandler</c> adds one.</summary>
public sealed record GatewayHandlerRegistration(string Name, Func<IServiceProvider, IGatewayHandler> Create);
