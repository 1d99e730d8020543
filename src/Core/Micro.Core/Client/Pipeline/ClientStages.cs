using Micro.Pipelines;

namespace Micro.Client;

/// <summary>
/// The built-in stages of the client pipeline, outermost first:
/// <c>telemetry -> [middleware] -> deadline -> retry -> hedge -> select -> node-marking -> attempt-timeout -> send</c>.
/// <c>send</c> (headers, envelope, the transport's request, the reply's error) ends the pipeline and is not a stage.
/// </summary>
public static class ClientStages
{
    /// <summary>One client span and the request, error and duration metrics per call (nothing when nobody listens).</summary>
    public const string Telemetry = "telemetry";

    /// <summary>The call's deadline: its timeout, or the caller's caller's deadline when sooner; a timeout error when it passes.</summary>
    public const string Deadline = "deadline";

    /// <summary>Retries a failure worth retrying (<see cref="ClientOptions.ShouldRetry"/>) after <see cref="ClientOptions.Backoff"/>, within the deadline.</summary>
    public const string Retry = "retry";

    /// <summary>Hedges an idempotent call: a second attempt to another node after a delay, the first success wins (<see cref="HedgingOptions"/>).</summary>
    public const string Hedge = "hedge";

    /// <summary>Picks the node of this attempt (avoiding the ones that failed), or takes <see cref="CallOptions.Address"/>, and its transport.</summary>
    public const string Select = "select";

    /// <summary>Tells the selector how the node did: failures that are the node's fault count against it and the retry goes elsewhere.</summary>
    public const string NodeMarking = "node-marking";

    /// <summary>Bounds one attempt by <see cref="ClientOptions.AttemptTimeout"/>, so a hung node costs one attempt, not the call.</summary>
    public const string AttemptTimeout = "attempt-timeout";

    /// <summary>The built-in order.</summary>
    public static IReadOnlyList<string> Order { get; } = [Telemetry, Deadline, Retry, Hedge, Select, NodeMarking, AttemptTimeout];

    /// <summary>The built-in pipeline; <see cref="MicroPipeline{TMiddleware}.Use"/> adds middleware just inside telemetry.</summary>
    public static MicroPipeline<ClientMiddleware> CreatePipeline() => new("client", Order, Telemetry);
}
