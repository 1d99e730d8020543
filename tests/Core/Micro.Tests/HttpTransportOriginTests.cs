using System.Net.WebSockets;
using Micro.Transport;
using Micro.Transport.Http;

namespace Micro.Tests;

/// <summary>A web page in the operator's browser (cross-site, or same-origin through DNS rebinding) cannot call or stream to a service node on the http transport.</summary>
public sealed class HttpTransportOriginTests
{
    [Fact]
    public async Task A_websocket_upgrade_from_a_web_page_is_refused_before_any_stream_is_served()
    {
        await using var kit = new TestKit(transport: new HttpTransport());
        var server = await kit.StartServerAsync("greeter", new Greeter());
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", "https://evil.example");
        var e = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri($"ws://{server.Address}{WebSocketStreams.Path}"), CancellationToken.None));
        Assert.Contains("403", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.InFlight);

        // A service (no Origin) still opens streams on the same node.
        using var ok = new ClientWebSocket();
        await ok.ConnectAsync(new Uri($"ws://{server.Address}{WebSocketStreams.Path}"), CancellationToken.None);
        Assert.Equal(WebSocketState.Open, ok.State);
        await ok.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
    }

    [Theory]
    [InlineData("Origin", "https://evil.example")]
    [InlineData("Origin", "null")]
    [InlineData("Sec-Fetch-Site", "same-origin")] // a rebound page's own fetch
    public async Task A_call_from_a_web_page_is_refused_before_any_handler_runs(string header, string value)
    {
        await using var kit = new TestKit(transport: new HttpTransport());
        var counting = new Counting();
        var server = await kit.StartServerAsync("counted", counting);
        using var http = new HttpClient();
        using var fromPage = Request(server.Address);
        fromPage.Headers.TryAddWithoutValidation(header, value);
        using var refused = await http.SendAsync(fromPage);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("\"code\":403", refused.Headers.GetValues(MicroHeaders.Error).Single(), StringComparison.Ordinal);
        Assert.Equal(0, counting.Calls);

        // A service (neither header) is served by the same node.
        using var fromService = await http.SendAsync(Request(server.Address));
        Assert.Equal(System.Net.HttpStatusCode.OK, fromService.StatusCode);
        Assert.Equal(1, counting.Calls);
    }

    private static HttpRequestMessage Request(string address)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"http://{address}/") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation(MicroHeaders.Endpoint, "Counting.Count");
        return request;
    }

    public sealed class Counting
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Task<HelloResponse> Count(HelloRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromResult(new HelloResponse("counted"));
        }
    }
}
