using System.Diagnostics;
using System.Globalization;
using Micro.Diagnostics;
using Micro.Transport;

namespace Micro.Client;

/// <summary>The one place the client's calls, streams and messages get their headers.</summary>
internal static class RequestHeaders
{
    /// <summary>A call's: the caller's metadata, the trace context, then the protocol's own (which win).</summary>
    /// <param name="deadline">Sent as the server's timeout; <see cref="DateTimeOffset.MaxValue"/> sends none.</param>
    public static Dictionary<string, string> ForCall(MicroRequest request, CallOptions options, DateTimeOffset deadline, string? fromService, TimeProvider time)
    {
        var headers = WithMetadata(options.Metadata, 9);
        TraceContext.Inject(Activity.Current, headers);
        headers[MicroHeaders.ContentType] = request.ContentType;
        headers[MicroHeaders.Accept] = options.Accept ?? request.ContentType;
        if (deadline != DateTimeOffset.MaxValue)
        {
            var remainingNs = Math.Max(1, (deadline - time.GetUtcNow()).Ticks) * 100;
            headers[MicroHeaders.Timeout] = remainingNs.ToString(CultureInfo.InvariantCulture);
        }

        AddRouting(headers, request.Service, request.Endpoint, fromService);
        return headers;
    }

    /// <summary>A stream's: the caller's metadata, then the protocol's own and <c>Micro-Stream: true</c>.</summary>
    public static Dictionary<string, string> ForStream(MicroRequest request, CallOptions options)
    {
        var headers = WithMetadata(options.Metadata, 8);
        headers[MicroHeaders.ContentType] = request.ContentType;
        AddRouting(headers, request.Service, request.Endpoint, fromService: null);
        headers[MicroHeaders.Stream] = "true";
        return headers;
    }

    /// <summary>A published message's: the caller's metadata, then content type, topic, a new id and the sending service.</summary>
    public static Dictionary<string, string> ForMessage(MicroMessage message, PublishOptions? options, string? fromService)
    {
        var headers = WithMetadata(options?.Metadata, 4);
        headers[MicroHeaders.ContentType] = message.ContentType;
        headers[MicroHeaders.Topic] = message.Topic;
        headers[MicroHeaders.Id] = Guid.NewGuid().ToString();
        if (fromService is not null)
        {
            headers[MicroHeaders.FromService] = fromService;
        }

        return headers;
    }

    private static Dictionary<string, string> WithMetadata(IReadOnlyDictionary<string, string>? metadata, int protocolHeaders)
    {
        var headers = new Dictionary<string, string>(protocolHeaders + (metadata?.Count ?? 0), StringComparer.OrdinalIgnoreCase);
        if (metadata is not null)
        {
            foreach (var (k, v) in metadata)
            {
                headers[k] = v;
            }
        }

        return headers;
    }

    private static void AddRouting(Dictionary<string, string> headers, string service, string endpoint, string? fromService)
    {
        headers[MicroHeaders.Id] = Guid.NewGuid().ToString();
        headers[MicroHeaders.Service] = service;
        headers[MicroHeaders.Method] = endpoint;
        headers[MicroHeaders.Endpoint] = endpoint;
        if (fromService is not null)
        {
            headers[MicroHeaders.FromService] = fromService;
        }
    }
}
