namespace Micro.Client;

/// <summary>
/// One call as it passes through the client pipeline: what is sent, the deadline, and the current attempt. Each stage
/// reads and sets what it owns (the deadline stage <see cref="Deadline"/>, the select stage <see cref="Target"/>...).
/// </summary>
public sealed class ClientCall
{
    private List<string>? _avoided;

    internal ClientCall(MicroRequest request, CallOptions options, TimeSpan timeout)
    {
        Request = request;
        Options = options;
        Timeout = timeout;
    }

    public MicroRequest Request { get; set; }

    public CallOptions Options { get; set; }

    /// <summary>The time the whole call may take (the call's option, else the client's request timeout); for messages.</summary>
    public TimeSpan Timeout { get; set; }

    /// <summary>When the whole call gives up: set by the deadline stage (the sooner of the timeout and the caller's caller's deadline).</summary>
    public DateTimeOffset Deadline { get; set; } = DateTimeOffset.MaxValue;

    /// <summary>0 for the first attempt, counted by the retry stage.</summary>
    public int Attempt { get; set; }

    /// <summary>When this attempt gives up, if sooner than <see cref="Deadline"/> (set by the attempt-timeout stage); sent to the server as its timeout.</summary>
    public DateTimeOffset? AttemptDeadline { get; set; }

    /// <summary>The node this attempt goes to: set by the select stage.</summary>
    public CallTarget? Target { get; set; }

    /// <summary>Set by the send when the node answered (an error reply included): the node is reachable.</summary>
    public bool Answered { get; set; }

    /// <summary>Set by the attempt-timeout stage when this attempt (not the call) ran out: a fault of the node.</summary>
    public bool AttemptTimedOut { get; set; }

    /// <summary>Set by the hedge stage on the attempt it cancels because the other answered first: the node was too slow.</summary>
    public bool LostToHedge { get; internal set; }

    /// <summary>The failure the previous attempt ended with (kept by the retry stage for the final timeout's message).</summary>
    public MicroException? LastError { get; set; }

    /// <summary>Nodes the next attempts avoid (those that failed in this call).</summary>
    public IReadOnlyCollection<string> AvoidedNodes => (IReadOnlyCollection<string>?)_avoided ?? [];

    public void AvoidNode(string nodeId) => (_avoided ??= []).Add(nodeId);

    /// <summary>Clears what belongs to one attempt before the next.</summary>
    public void BeginAttempt(int attempt)
    {
        Attempt = attempt;
        AttemptDeadline = null;
        Target = null;
        Answered = false;
        AttemptTimedOut = false;
        LostToHedge = false;
    }

    internal IReadOnlyCollection<string>? AvoidedOrNull => _avoided;

    /// <summary>A second attempt beside this one (hedging): the same call, avoiding this attempt's node too.</summary>
    internal ClientCall ForHedge()
    {
        var hedge = new ClientCall(Request, Options, Timeout) { Deadline = Deadline, Attempt = Attempt, LastError = LastError };
        hedge.AvoidAll(AvoidedNodes);
        if (Target?.NodeId is { } node)
        {
            hedge.AvoidNode(node);
        }

        return hedge;
    }

    /// <summary>The hedge answered: its attempt is the one this call reports.</summary>
    internal void TakeAttemptFrom(ClientCall hedge)
    {
        Target = hedge.Target;
        Answered = hedge.Answered;
        AttemptTimedOut = hedge.AttemptTimedOut;
        AttemptDeadline = hedge.AttemptDeadline;
        AvoidAll(hedge.AvoidedNodes);
    }

    internal void AvoidAll(IReadOnlyCollection<string> nodes)
    {
        foreach (var node in nodes)
        {
            if (!(_avoided?.Contains(node) ?? false))
            {
                AvoidNode(node);
            }
        }
    }
}
