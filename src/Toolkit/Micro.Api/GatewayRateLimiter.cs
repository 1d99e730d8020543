using System.Globalization;
using System.Net;
using Micro.Edge;
using Micro.Edge.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Micro.Api;

/// <summary>
/// The gateway's <c>--rate_limit</c>, after its auth so a caller is who they signed in as: one bucket per identity (else
/// per client address, see <see cref="CallerRateLimiter"/>), a 429 with <c>Retry-After</c> past it.
/// </summary>
internal sealed class GatewayRateLimiter(EdgeRateLimit limit, ILogger<GatewayRateLimiter> logger) : IAsyncDisposable
{
    private readonly CallerRateLimiter _limiter = new(limit);

    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var caller = CallerOf(context);
        if (_limiter.TryAcquire(caller, out var seconds))
        {
            await next().ConfigureAwait(false);
            return;
        }

        logger.LogDebug("Rate limit {Limit} reached by {Caller} on {Path}", limit, caller, context.Request.Path);
        await EdgeErrors.WriteAsync(context, new MicroException(EdgeErrors.GatewayId, StatusCodes.Status429TooManyRequests, _limiter.Refusal(caller, seconds)),
            headers => headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
    }

    /// <summary>Who a bucket belongs to: the signed-in identity, else the client's address.</summary>
    internal static string CallerOf(HttpContext context)
        => EdgeAuthMiddleware.IdentityOf(context) is { } identity ? "user " + identity.Subject : "address " + AddressOf(context.Connection.RemoteIpAddress);

    internal static string AddressOf(IPAddress? address) => CallerRateLimiter.AddressOf(address);

    public ValueTask DisposeAsync() => _limiter.DisposeAsync();
}
