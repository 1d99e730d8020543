using Micro.Edge;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Micro.Edge.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Micro.Api.Tests;

/// <summary>
/// <c>--rate_limit</c>: each caller (its signed-in identity, else its address) gets its own bucket; past it a 429 with
/// Retry-After and go-micro error JSON, before the service is called. Periods of an hour: no refill during a test.
/// </summary>
public sealed class GatewayRateLimitTests
{
    private static StringContent Hello(string name) => new($$"""{"name":"{{name}}"}""", Encoding.UTF8, "application/json");

    private static async Task<HttpResponseMessage> CallAsync(HttpClient http, string? key, string name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/greeter/hello") { Content = Hello(name) };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return await http.SendAsync(request);
    }

    [Fact]
    public async Task Each_signed_in_caller_has_its_own_limit_and_past_it_gets_a_429_with_retry_after()
    {
        var options = new ApiOptions { Namespace = "", RateLimit = new EdgeRateLimit(2, TimeSpan.FromHours(1)), Authenticator = new ApiKeyAuthenticator(["alice=key-alice-1f5c9a0b7e", "bob=key-bob-2e8d3f6a1c44"]) };
        await using var app = InAppHost.Create(s => s.AddMicroGateway(options), a => a.MapMicroGateway("/api"));
        await app.StartAsync();
        using var http = InAppHost.ClientOf(app);

        for (var i = 0; i < 2; i++)
        {
            using var ok = await CallAsync(http, "key-alice-1f5c9a0b7e", "alice");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var limited = await CallAsync(http, "key-alice-1f5c9a0b7e", "alice");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta is { } after && after > TimeSpan.Zero, "429 without a Retry-After");
        var body = await limited.Content.ReadAsStringAsync();
        Assert.Contains("\"code\":429", body, StringComparison.Ordinal);
        Assert.Contains("user alice", body, StringComparison.Ordinal);
        Assert.DoesNotContain("key-alice", body, StringComparison.Ordinal); // never the credential

        // Bob's bucket is his own; and a refused credential is a 401, not counted against anyone.
        using var bob = await CallAsync(http, "key-bob-2e8d3f6a1c44", "bob");
        Assert.Equal(HttpStatusCode.OK, bob.StatusCode);
        using var forged = await CallAsync(http, "key-nobody-0000000000", "mallory");
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public async Task Without_auth_the_callers_address_is_the_bucket_and_the_apps_own_endpoints_are_not_limited()
    {
        await using var app = InAppHost.Create(s => s.AddMicroGateway(new ApiOptions { Namespace = "", RateLimit = EdgeRateLimit.Parse("1/h") }), a => a.MapMicroGateway("/api"));
        await app.StartAsync();
        using var http = InAppHost.ClientOf(app);

        using var first = await CallAsync(http, null, "one");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var second = await CallAsync(http, null, "two");
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Contains("address 127.0.0.1", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("mine", await http.GetStringAsync("/"));
        }

        await app.StopAsync();
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("::1", "::1")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")] // the same host's next address: the same bucket
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::/64")]
    public void A_caller_without_an_identity_is_its_ipv4_address_or_its_ipv6_64(string address, string bucket)
        => Assert.Equal(bucket, GatewayRateLimiter.AddressOf(IPAddress.Parse(address)));

    [Theory]
    [InlineData("100/s", 100, 1)]
    [InlineData("6000/m", 6000, 60)]
    [InlineData("10/h", 10, 3600)]
    [InlineData("5/10s", 5, 10)]
    public void A_rate_limit_reads_as_requests_per_period(string text, int requests, int seconds)
        => Assert.Equal(new EdgeRateLimit(requests, TimeSpan.FromSeconds(seconds)), EdgeRateLimit.Parse(text));

    [Theory]
    [InlineData("100", "is not <requests>/<period>")]
    [InlineData("0/s", "a positive number of requests")]
    [InlineData("-5/s", "a positive number of requests")]
    [InlineData("many/s", "is not <requests>/<period>")]
    [InlineData("10/fortnight", "the period 'fortnight' is not s, m, h or a positive duration")]
    [InlineData("10/0s", "positive duration")]
    public void A_rate_limit_that_cannot_be_read_says_what_to_write(string text, string said)
        => Assert.Contains(said, Assert.Throws<FormatException>(() => EdgeRateLimit.Parse(text)).Message, StringComparison.Ordinal);
}
