namespace Micro;

/// <summary>
/// The request being handled on this async flow: its metadata (every request header), where it came from, its deadline,
/// and metadata to send back. Calls made while handling a request inherit its deadline, so deadlines cascade.
/// </summary>
public sealed class CallContext
{
    private static readonly AsyncLocal<CallContext?> CurrentContext = new();
    private Dictionary<string, string>? _responseMetadata;

    public CallContext(string service, string endpoint, IReadOnlyDictionary<string, string> metadata, DateTimeOffset? deadline, string nodeId = "")
    {
        NodeId = nodeId;
        Service = service;
        Endpoint = endpoint;
        Metadata = metadata;
        Deadline = deadline;
    }

    /// <summary>The request being handled, or null outside a handler.</summary>
    public static CallContext? Current
    {
        get => CurrentContext.Value;
        internal set => CurrentContext.Value = value;
    }

    public string Service { get; }

    public string Endpoint { get; internal set; }

    /// <summary>The id of the node (server instance) handling the request.</summary>
    public string NodeId { get; }

    /// <summary>Every header of the request (case-insensitive), including <c>Local</c> and <c>Remote</c> addresses.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>When the caller stops waiting, if it said (set by the server's deadline stage).</summary>
    public DateTimeOffset? Deadline { get; internal set; }

    /// <summary>Headers to add to the response (the caller sees them as response metadata).</summary>
    public IDictionary<string, string> ResponseMetadata => _responseMetadata ??= new(StringComparer.OrdinalIgnoreCase);

    internal Dictionary<string, string>? ResponseMetadataIfAny => _responseMetadata;
}
