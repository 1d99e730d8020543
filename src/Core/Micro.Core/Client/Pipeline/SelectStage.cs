using System.Runtime.CompilerServices;

namespace Micro.Client;

/// <summary>The <c>select</c> stage: chooses this attempt's node (<see cref="ClientCall.Target"/>) through the <see cref="NodeResolver"/>.</summary>
internal sealed class SelectStage(CallHandler next, NodeResolver resolver)
{
    public ValueTask<MicroResponse> InvokeAsync(ClientCall call, CancellationToken cancellationToken)
    {
        var pending = resolver.ResolveAsync(call.Request.Service, call.Options, call.AvoidedOrNull, cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            // The selector's cache answered at once (the usual case): no async step of its own.
            call.Target = pending.Result;
            return next(call, cancellationToken);
        }

        return AfterResolveAsync(pending, call, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<MicroResponse> AfterResolveAsync(ValueTask<CallTarget> pending, ClientCall call, CancellationToken cancellationToken)
    {
        call.Target = await pending.ConfigureAwait(false);
        return await next(call, cancellationToken).ConfigureAwait(false);
    }
}
