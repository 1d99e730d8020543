using Micro.Pipelines;

namespace Micro.Server;

/// <summary>
/// The built-in stages of the server pipeline, outermost first:
/// <c>telemetry -> errors -> admission -> route -> deadline -> [middleware] -> endpoint</c>.
/// The endpoint (the handler found by <c>route</c>, with <see cref="CallContext.Current"/> set) ends the pipeline and is
/// not a stage. Streams and subscribers do not pass through it.
/// </summary>
public static class ServerStages
{
    /// <summary>One server span (child of the caller's) and the request, error, duration and in-flight metrics.</summary>
    public const string Telemetry = "telemetry";

    /// <summary>Turns a failure into the reply's error: a <see cref="MicroException"/> as it is (under this service's id), anything else a logged 500.</summary>
    public const string Errors = "errors";

    /// <summary>Refuses requests the server will not take (503 while it stops), before any work: callers retry elsewhere.</summary>
    public const string Admission = "admission";

    /// <summary>Finds the endpoint (404 naming those there are), opens an RPC envelope, picks the codecs, and sets <see cref="CallContext.Current"/>.</summary>
    public const string Route = "route";

    /// <summary>The caller's <c>Micro-Timeout</c> becomes the request's deadline and cancellation; past it, 408.</summary>
    public const string Deadline = "deadline";

    /// <summary>The built-in order.</summary>
    public static IReadOnlyList<string> Order { get; } = [Telemetry, Errors, Admission, Route, Deadline];

    /// <summary>The built-in pipeline; <see cref="MicroPipeline{TMiddleware}.Use"/> adds middleware innermost, around the endpoint.</summary>
    public static MicroPipeline<ServerMiddleware> CreatePipeline() => new("server", Order, useAfter: null);
}
