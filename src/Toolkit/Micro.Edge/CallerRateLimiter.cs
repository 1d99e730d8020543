using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;

namespace Micro.Edge;

/// <summary>
/// One token bucket per caller (a name such as <c>user alice</c> or <c>address 10.0.0.1</c>), no queue: what the
/// gateway's <c>--rate_limit</c> counts per request and <c>micro mcp</c>'s per tool call. System.Threading.RateLimiting's
/// partitioned limiter, as ASP.NET Core's rate-limiting middleware uses, drops the buckets of callers gone quiet.
/// </summary>
public sealed class CallerRateLimiter(EdgeRateLimit limit) : IAsyncDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(caller =>
        RateLimitPartition.GetTokenBucketLimiter(caller, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit.Requests,
            TokensPerPeriod = limit.Requests,
            ReplenishmentPeriod = limit.Period,
            QueueLimit = 0,
            AutoReplenishment = true,
        }), StringComparer.Ordinal);

    public EdgeRateLimit Limit => limit;

    /// <summary>Takes one token of <paramref name="caller"/>'s bucket; when there is none, how long until there is (whole seconds, at least 1).</summary>
    public bool TryAcquire(string caller, out int retryAfterSeconds)
    {
        ArgumentNullException.ThrowIfNull(caller);
        using var lease = _limiter.AttemptAcquire(caller);
        if (lease.IsAcquired)
        {
            retryAfterSeconds = 0;
            return true;
        }

        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) && retryAfter > TimeSpan.Zero ? retryAfter : limit.Period;
        retryAfterSeconds = (int)Math.Ceiling(Math.Max(1, wait.TotalSeconds));
        return false;
    }

    /// <summary>What a refusal says: the limit, whose bucket, and when to come back.</summary>
    public string Refusal(string caller, int retryAfterSeconds)
        => FormattableString.Invariant($"rate limit of {limit.Requests} requests per {limit.Period.TotalSeconds:0.###} s reached for {caller}; retry after {retryAfterSeconds} s");

    /// <summary>
    /// A client address as a bucket's name: IPv4 as it is; IPv6 by its /64, which one host is usually given whole:
    /// otherwise a caller cycling through its 2^64 addresses would get a fresh bucket (and cost memory) with every request.
    /// </summary>
    public static string AddressOf(IPAddress? address)
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
