using System.Diagnostics;

namespace Micro.Diagnostics;

/// <summary>W3C trace context (<c>traceparent</c>, <c>tracestate</c>) in message headers, so one trace spans RPC and events.</summary>
public static class TraceContext
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";

    /// <summary>Writes the activity's context into the headers (nothing when there is no activity).</summary>
    public static void Inject(Activity? activity, IDictionary<string, string> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (activity is null || activity.IdFormat != ActivityIdFormat.W3C || activity.Id is not { } id)
        {
            return;
        }

        headers[TraceParent] = id;
        if (activity.TraceStateString is { Length: > 0 } state)
        {
            headers[TraceState] = state;
        }
    }

    /// <summary>The remote parent carried in the headers; default when there is none or it is malformed.</summary>
    public static ActivityContext Extract(IReadOnlyDictionary<string, string> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return headers.TryGetValue(TraceParent, out var parent)
               && ActivityContext.TryParse(parent, headers.GetValueOrDefault(TraceState), isRemote: true, out var context)
            ? context
            : default;
    }
}
