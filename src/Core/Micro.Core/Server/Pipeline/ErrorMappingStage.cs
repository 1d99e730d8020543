using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Micro.Server;

/// <summary>
/// The <c>errors</c> stage: a failure becomes the reply's error. A <see cref="MicroException"/> keeps its code and
/// detail (and takes this service's id when it had none or came from a codec); any other exception is logged and
/// answered 500 with its message.
/// </summary>
internal sealed class ErrorMappingStage(RequestHandler next, string service, ILogger logger)
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ServerResponse> InvokeAsync(ServerRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await next(request, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ServerResponse.Failure(MicroException.Timeout(service, $"{request.Endpoint}: cancelled by the caller"));
        }
        catch (Exception e)
        {
            return ServerResponse.Failure(Map(e, request.Endpoint, service, logger));
        }
    }

    /// <summary>The error the caller gets for <paramref name="e"/> (also the server's last resort when a custom pipeline lets one through).</summary>
    internal static MicroException Map(Exception e, string endpoint, string service, ILogger logger)
    {
        if (e is MicroException micro)
        {
            var error = micro.Id.Length == 0 || micro.Id == "go.micro.codec" ? new MicroException(service, micro.Code, micro.Detail, micro.Status) : micro;
            if (micro.Code >= 500)
            {
                logger.LogWarning("{Endpoint} failed: {Detail}", endpoint, micro.Detail);
            }

            return error;
        }

        logger.LogError(e, "{Endpoint} threw", endpoint);
        return MicroException.InternalServerError(service, e.Message);
    }
}
