namespace Micro.Client;

/// <summary>Runs one call from a stage of the client pipeline inwards.</summary>
public delegate ValueTask<MicroResponse> CallHandler(ClientCall call, CancellationToken cancellationToken);
