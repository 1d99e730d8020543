namespace Micro.Server;

/// <summary>The server's endpoints by name: calls and streams, and the errors for a name that is neither.</summary>
internal sealed class EndpointTable(string service)
{
    private readonly Dictionary<string, RequestHandler> _calls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StreamHandler> _streams = new(StringComparer.Ordinal);

    public bool TryAdd(string name, RequestHandler handler) => !_streams.ContainsKey(name) && _calls.TryAdd(name, handler);

    public bool TryAdd(string name, StreamHandler handler) => !_calls.ContainsKey(name) && _streams.TryAdd(name, handler);

    /// <summary>The call endpoint's handler, or a 404 (or 400 for a stream endpoint) that says what there is.</summary>
    public RequestHandler Find(string endpoint)
        => _calls.TryGetValue(endpoint, out var handler) ? handler
            : throw (endpoint.Length == 0
                ? MicroException.NotFound(service, $"request to {service} names no endpoint (Micro-Endpoint header)")
                : _streams.ContainsKey(endpoint)
                    ? MicroException.BadRequest(service, $"{endpoint} of service {service} is a stream endpoint: open a stream to it (micro stream {service} {endpoint}), not a call")
                    : MicroException.NotFound(service, $"unknown endpoint {endpoint} of service {service}; it has: {List()}"));

    /// <summary>The stream endpoint's handler, or a 404 (or 400 for a call endpoint) that says what there is.</summary>
    public StreamHandler FindStream(string endpoint)
        => _streams.TryGetValue(endpoint, out var handler) ? handler
            : throw (_calls.ContainsKey(endpoint)
                ? MicroException.BadRequest(service, $"{endpoint} of service {service} is not a stream endpoint: call it (micro call {service} {endpoint}), not a stream")
                : MicroException.NotFound(service, $"unknown stream endpoint {endpoint} of service {service}; it has: {List()}"));

    /// <summary>Every endpoint, for "unknown endpoint" errors: the calls, then the streams marked as such.</summary>
    private string List()
        => string.Join(", ", _calls.Keys.Order(StringComparer.Ordinal))
           + (_streams.Count > 0 ? $" (streams: {string.Join(", ", _streams.Keys.Order(StringComparer.Ordinal))})" : "");
}
