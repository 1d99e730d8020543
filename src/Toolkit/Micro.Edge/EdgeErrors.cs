using System.Text;
using Microsoft.AspNetCore.Http;

namespace Micro.Edge;

/// <summary>Errors as go-micro's error JSON with the HTTP status from its code; never a stack trace.</summary>
public static class EdgeErrors
{
    public const string GatewayId = "go.micro.api";

    /// <summary>The HTTP status for an error: its code when that is an HTTP error status; a client-side deadline is 504.</summary>
    public static int StatusOf(MicroException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error.Code == 408 && error.Id == "go.micro.client")
        {
            return StatusCodes.Status504GatewayTimeout; // the gateway's own deadline passed while waiting for the service
        }

        return error.Code is >= 400 and <= 599 ? error.Code : StatusCodes.Status500InternalServerError;
    }

    /// <param name="context">The request.</param>
    /// <param name="error">What went wrong.</param>
    /// <param name="headers">Headers the error reply carries (<c>Retry-After</c>, <c>WWW-Authenticate</c>): set after the response is cleared.</param>
    public static async Task WriteAsync(HttpContext context, MicroException error, Action<IHeaderDictionary>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Response.HasStarted)
        {
            context.Abort();
            return;
        }

        context.Response.Clear();
        context.Response.StatusCode = StatusOf(error);
        context.Response.ContentType = "application/json";
        headers?.Invoke(context.Response.Headers);
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(error.ToJson()), context.RequestAborted).ConfigureAwait(false);
    }
}
