namespace Micro.Selector;

/// <summary>How one attempt to a node ended, as the selector learns it.</summary>
public enum NodeOutcome
{
    /// <summary>The node answered (an error it was right to give, such as a 4xx, included).</summary>
    Success,

    /// <summary>The node's fault: unreachable, timed out, or answering 408, 503 or 5xx.</summary>
    Failure,

    /// <summary>Ended by the caller (cancelled, its own deadline): says nothing about the node.</summary>
    Abandoned,
}
