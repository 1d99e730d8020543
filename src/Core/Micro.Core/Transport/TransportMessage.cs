namespace Micro.Transport;

/// <summary>A message as transports carry it: headers and an opaque body (codec bytes).</summary>
public sealed class TransportMessage
{
    /// <param name="headers">The headers, taken as they are (make them with <see cref="NewHeaders"/>: names compare case-insensitively).</param>
    /// <param name="body">The body.</param>
    public TransportMessage(Dictionary<string, string>? headers = null, ReadOnlyMemory<byte> body = default)
    {
        HeaderMap = headers ?? NewHeaders();
        Body = body;
    }

    /// <summary>Header names compare case-insensitively, as they do over HTTP. Read-only: a message is sent as it was made.</summary>
    public IReadOnlyDictionary<string, string> Headers => HeaderMap;

    /// <summary>The headers as the core's transports write and amend them (no interface enumeration on the hot path).</summary>
    internal Dictionary<string, string> HeaderMap { get; }

    public ReadOnlyMemory<byte> Body { get; set; }

    public string? Header(string name) => HeaderMap.TryGetValue(name, out var v) ? v : null;

    public static Dictionary<string, string> NewHeaders(int capacity = 8) => new(capacity, StringComparer.OrdinalIgnoreCase);
}
