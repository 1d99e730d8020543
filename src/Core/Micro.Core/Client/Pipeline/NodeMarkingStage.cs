using System.Runtime.CompilerServices;
using Micro.Selector;

namespace Micro.Client;

/// <summary>
/// The <c>node-marking</c> stage: reports each attempt's outcome and duration to the selector. Unreachable, timed out,
/// or answering 408 or 5xx is the node's failure, a 503 its refusal (overloaded or stopping: not held against it
/// for ejection), and the next attempt avoids it either way; any other answer (a 4xx included)
/// is a healthy node; an attempt the caller ended says nothing about the node. Calls to a direct address report nothing.
/// </summary>
internal sealed class NodeMarkingStage(CallHandler next, ISelector selector, TimeProvider time)
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<MicroResponse> InvokeAsync(ClientCall call, CancellationToken cancellationToken)
    {
        if (call.Target?.Node is not { } node)
        {
            return await next(call, cancellationToken).ConfigureAwait(false);
        }

        var started = time.GetTimestamp();
        MicroResponse response;
        try
        {
            response = await next(call, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var outcome = call.LostToHedge ? NodeOutcome.Slow
                : e is MicroException m && (m.IsTransportError || call.AttemptTimedOut || call.Answered)
                ? (m.IsTransportError || call.AttemptTimedOut ? NodeOutcome.Failure
                    : m.Code == 503 ? NodeOutcome.Refused
                    : m.Code is 408 or >= 500 ? NodeOutcome.Failure : NodeOutcome.Success)
                : NodeOutcome.Abandoned;
            selector.Report(call.Request.Service, node, outcome, time.GetElapsedTime(started));
            if (outcome is NodeOutcome.Failure or NodeOutcome.Refused)
            {
                call.AvoidNode(node.Id);
            }

            throw;
        }

        selector.Report(call.Request.Service, node, NodeOutcome.Success, time.GetElapsedTime(started));
        return response;
    }
}
