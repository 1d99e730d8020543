using System.Net.WebSockets;
using Micro.Transport;
using Micro.Transport.Http;

namespace Micro.Tests;

/// <summary>A web page in the operator's browser cannot open a stream to a service node on the http transport.</summary>
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
}
