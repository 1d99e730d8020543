using System.Net;
using System.Net.WebSockets;
using System.Text;
using Micro.Hosting;
using Micro.Registry;
using Micro.Transport.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Micro.Web.Tests;

/// <summary>The dashboard's /[name] proxy: prefix stripped, base path header set, websockets passed, unregistered names refused.</summary>
public sealed class WebAppProxyTests : IAsyncLifetime
{
    private readonly string _registry = Path.Combine(Path.GetTempPath(), "micro-web-proxy", Guid.NewGuid().ToString("N"));
    private MicroEnvironment _environment = null!;
    private DashboardServer _dashboard = null!;
    private WebApplication _app = null!;

    public async Task InitializeAsync()
    {
        _environment = MicroEnvironment.Create(MicroSettings.Default with { Registry = "local", RegistryAddress = _registry });
        _dashboard = await DashboardServer.StartAsync(new WebOptions { Address = "127.0.0.1:0" }, _environment);
        (_app, var address) = await KestrelEndpoint.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), app =>
        {
            app.UseWebSockets();
            app.Run(async context =>
            {
                if (context.WebSockets.IsWebSocketRequest)
                {
                    using var socket = await context.WebSockets.AcceptWebSocketAsync();
                    var buffer = new byte[256];
                    var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
                    await socket.SendAsync(buffer.AsMemory(0, received.Count), WebSocketMessageType.Text, true, context.RequestAborted);
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, context.RequestAborted);
                    return;
                }

                await context.Response.WriteAsync($"path={context.Request.Path}{context.Request.QueryString} base={context.Request.Headers["X-Micro-Web-Base-Path"]}");
            });
        });
        await _environment.Registry.RegisterAsync(new Service { Name = "go.micro.web.chat", Nodes = [new Node { Id = "chat-1", Address = address }] }, TimeSpan.FromMinutes(5));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _dashboard.DisposeAsync();
        await _environment.DisposeAsync();
        Directory.Delete(_registry, recursive: true);
    }

    [Fact]
    public async Task A_web_app_gets_the_path_without_its_prefix_and_the_base_path_header()
    {
        using var http = new HttpClient();
        Assert.Equal("path=/rooms/1?x=2 base=/chat", await http.GetStringAsync($"http://{_dashboard.Address}/chat/rooms/1?x=2"));
        Assert.Equal("path=/ base=/chat", await http.GetStringAsync($"http://{_dashboard.Address}/chat"));
    }

    [Fact]
    public async Task Websockets_pass_through_to_the_web_app()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{_dashboard.Address}/chat/socket"), CancellationToken.None);
        await socket.SendAsync(Encoding.UTF8.GetBytes("hello"), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[64];
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal("hello", Encoding.UTF8.GetString(buffer, 0, received.Count));
    }

    [Fact]
    public async Task Only_registered_web_apps_are_reachable()
    {
        using var http = new HttpClient();
        var response = await http.GetAsync($"http://{_dashboard.Address}/127.0.0.1:22/etc");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("No web app named", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_web_app_that_does_not_answer_gets_a_plain_text_error_a_browser_never_renders_as_a_page()
    {
        // A page can send the operator to any path; the error quotes it, so it must never be sniffed as HTML on the dashboard's origin.
        using var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await _environment.Registry.RegisterAsync(new Service { Name = "go.micro.web.gone", Nodes = [new Node { Id = "gone-1", Address = $"127.0.0.1:{port}" }] }, TimeSpan.FromMinutes(5));
        using var http = new HttpClient();
        using var response = await http.GetAsync($"http://{_dashboard.Address}/gone/%3Cscript%3Ealert(1)%3C%2Fscript%3E");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("did not answer", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
