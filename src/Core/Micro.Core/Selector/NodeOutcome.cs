namespace Micro.Selector;

/// <summary>How one attempt to a node ended, as the selector learns it.</summary>
public enum NodeOutcome
{
    /// <summary>The node answered (an error it was right to give, such as a 4xx, included).</summary>
    Success,

    /// <summary>The node's fault: unreachable, timed out, or answering 408 or 5xx (503 aside).</summary>
    Failure,

    /// <summary>
    /// The node said "not now" (503: overloaded or stopping): the call tries another node, and the node's latency takes
    /// a penalty so load-aware strategies back off, but it is not a failure towards ejection: shedding load must not
    /// get a node ejected and its load moved onto the others.
    /// </summary>
    Refused,

    /// <summary>
    /// Cancelled because a hedge to another node answered first: slower than its siblings, so it counts as a failure
    /// towards ejection (as an attempt timeout does), with the time it took so far as its latency.
    /// </summary>
    Slow,

    /// <summary>Ended by the caller (cancelled, its own deadline): says nothing about the node.</summary>
    Abandoned,
}
