using System.Globalization;
using System.Threading.RateLimiting;
using Micro.Edge;
using Micro.Edge.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Micro.Api;

/// <summary>
/// The gateway's <c>--rate_limit</c>, after its auth so a caller is who they signed in as: one token bucket per identity
/// (else per client address), no queue, a 429 with <c>Retry-After</c> past it. System.Threading.RateLimiting's
/// partitioned limiter, as ASP.NET Core's rate-limiting middleware uses, drops the buckets of callers gone quiet.
/// </summary>
internal sealed class GatewayRateLimiter(GatewayRateLimit limit, ILogger<GatewayRateLimiter> logger) : IAsyncDisposable
{
    private readonly PartitionedRateLimiter<HttpContext> _limiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        RateLimitPartition.GetTokenBucketLimiter(CallerOf(context), _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit.Requests,
            TokensPerPeriod = limit.Requests,
            ReplenishmentPeriod = limit.Period,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        using var lease = _limiter.AttemptAcquire(context);
        if (lease.IsAcquired)
        {
            await next().ConfigureAwait(false);
            return;
        }

        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) && retryAfter > TimeSpan.Zero ? retryAfter : limit.Period;
        var seconds = (int)Math.Ceiling(Math.Max(1, wait.TotalSeconds));
        var caller = CallerOf(context);
        logger.LogDebug("Rate limit {Limit} reached by {Caller} on {Path}", limit, caller, context.Request.Path);
        await EdgeErrors.WriteAsync(context, new MicroException(EdgeErrors.GatewayId, StatusCodes.Status429TooManyRequests,
                $"rate limit of {limit.Requests} requests per {limit.Period.TotalSeconds:0.###} s reached for {caller}; retry after {seconds} s"),
            headers => headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
    }

    /// <summary>Who a bucket belongs to: the signed-in identity, else the client's address.</summary>
    private static string CallerOf(HttpContext context)
        => EdgeAuthMiddleware.IdentityOf(context) is { } identity ? "user " + identity.Subject : "address " + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");

    public ValueTask DisposeAsync() => _limiter.DisposeAsync();
}
