namespace Micro.Transport;

/// <summary>A message as transports carry it: headers and an opaque body (codec bytes).</summary>
public sealed class TransportMessage
{
    public TransportMessage(Dictionary<string, string>? headers = null, ReadOnlyMemory<byte> body = default)
    {
        Headers = headers ?? NewHeaders();
        Body = body;
    }

    /// <summary>Header names compare case-insensitively, as they do over HTTP.</summary>
    public Dictionary<string, string> Headers { get; }

    public ReadOnlyMemory<byte> Body { get; set; }

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

    public static Dictionary<string, string> NewHeaders(int capacity = 8) => new(capacity, StringComparer.OrdinalIgnoreCase);
}
