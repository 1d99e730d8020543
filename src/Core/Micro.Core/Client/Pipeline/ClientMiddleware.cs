namespace Micro.Client;

/// <summary>
/// A stage of the client pipeline: wraps the next stage (logging, auth headers, metrics, a custom retry...). Change
/// <see cref="ClientCall.Request"/> or <see cref="ClientCall.Options"/> before calling next to change what is sent.
/// </summary>
public delegate CallHandler ClientMiddleware(CallHandler next);
