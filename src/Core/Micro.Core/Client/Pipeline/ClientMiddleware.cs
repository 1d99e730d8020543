namespace Micro.Client;

/// <summary>Runs one call from a stage of the client pipeline inwards.</summary>
public delegate ValueTask<MicroResponse> CallHandler(ClientCall call, CancellationToken cancellationToken);

/// <summary>
/// A stage of the client pipeline: wraps the next stage (logging, auth headers, metrics, a custom retry...). Change
/// <see cref="ClientCall.Request"/> or <see cref="ClientCall.Options"/> before calling next to change what is sent.
/// </summary>
public delegate CallHandler ClientMiddleware(CallHandler next);
