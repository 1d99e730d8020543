using System.Globalization;
using System.Net;
using System.Net.Sockets;
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
    internal static string CallerOf(HttpContext context)
        => EdgeAuthMiddleware.IdentityOf(context) is { } identity ? "user " + identity.Subject : "address " + AddressOf(context.Connection.RemoteIpAddress);

    /// <summary>
    /// An IPv4 address as it is; an IPv6 address by its /64, which one host is usually given whole: otherwise a caller
    /// cycling through its 2^64 addresses would get a fresh bucket (and cost memory) with every request.
    /// </summary>
    internal static string AddressOf(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address))
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    public ValueTask DisposeAsync() => _limiter.DisposeAsync();
}
