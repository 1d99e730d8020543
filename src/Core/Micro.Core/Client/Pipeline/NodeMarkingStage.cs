using System.Runtime.CompilerServices;
using Micro.Selector;

namespace Micro.Client;

/// <summary>
/// The <c>node-marking</c> stage: reports each attempt's outcome to the selector. Unreachable, timed out, or answering
/// 408, 503 or 5xx counts against the node and the next attempt avoids it; any other answer (a 4xx included) is a
/// healthy node. Calls to a direct address mark nothing.
/// </summary>
internal sealed class NodeMarkingStage(CallHandler next, ISelector selector)
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<MicroResponse> InvokeAsync(ClientCall call, CancellationToken cancellationToken)
    {
        MicroResponse response;
        try
        {
            response = await next(call, cancellationToken).ConfigureAwait(false);
        }
        catch (MicroException e) when (call.Target?.NodeId is { } nodeId && (e.IsTransportError || call.AttemptTimedOut || call.Answered))
        {
            var nodeFault = e.IsTransportError || call.AttemptTimedOut || e.Code is 408 or 503 or >= 500;
            selector.Mark(call.Request.Service, nodeId, success: !nodeFault);
            if (nodeFault)
            {
                call.AvoidNode(nodeId);
            }

            throw;
        }

        if (call.Target?.NodeId is { } healthy)
        {
            selector.Mark(call.Request.Service, healthy, success: true);
        }

        return response;
    }
}
