using System.Net;
using Micro.Broker;
using Micro.Client;
using Micro.Codec;
using Micro.Registry;
using Micro.Selector;
using Micro.Transport.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Micro.Api.Tests;

/// <summary>Real greeter services on loopback (tcp, memory registry) and the gateway in front of them.</summary>
public sealed class GatewayFixture : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    private GatewayFixture(TestKit kit, MemoryBroker broker)
    {
        Kit = kit;
        Broker = broker;
    }

    public TestKit Kit { get; }

    public MemoryBroker Broker { get; }

    public HttpClient Http { get; private set; } = null!;

    public string Address { get; private set; } = "";

    public static async Task<GatewayFixture> StartAsync(ApiOptions? options = null, Func<GatewayFixture, Task>? before = null)
    {
        var fixture = new GatewayFixture(new TestKit(), new MemoryBroker());
        await fixture.Kit.StartServerWithAsync("go.micro.api.greeter", new Handlers.Greeter(), new Handlers.Say());
        await fixture.Kit.StartServerAsync("go.micro.api.foo.bar", new Handlers.Baz());
        await fixture.Kit.StartServerAsync("go.micro.api.v1.foo", new Handlers.Foo());
        await fixture.Kit.StartServerAsync("go.micro.api.orders", new Handlers.Orders());
        if (before is not null)
        {
            await before(fixture);
        }

        var selector = new RegistrySelector(fixture.Kit.Registry);
        fixture._owned.Add(selector);
        var client = new MicroClient(selector, fixture.Kit.Transport, CodecRegistry.Default, new ClientOptions { RequestTimeout = TimeSpan.FromSeconds(20) }, broker: fixture.Broker);
        var server = await ApiServer.StartAsync((options ?? new ApiOptions()) with { Address = "127.0.0.1:0" }, client, fixture.Kit.Registry, selector);
        fixture._owned.Add(server);
        fixture.Address = server.Address;
        fixture.Http = new HttpClient { BaseAddress = new Uri("http://" + server.Address) };
        return fixture;
    }

    /// <summary>A plain ASP.NET Core app registered as <paramref name="service"/>: echoes path, query and headers; websocket echo at /ws.</summary>
    public async Task StartHttpServiceAsync(string service)
    {
        var (app, address) = await KestrelEndpoint.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), app =>
        {
            app.UseWebSockets();
            app.Run(async context =>
            {
                if (context.WebSockets.IsWebSocketRequest)
                {
                    using var socket = await context.WebSockets.AcceptWebSocketAsync();
                    var buffer = new byte[1024];
                    var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
                    await socket.SendAsync(buffer.AsMemory(0, received.Count), System.Net.WebSockets.WebSocketMessageType.Text, true, context.RequestAborted);
                    await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, context.RequestAborted);
                    return;
                }

                var h = context.Request.Headers;
                var shown = h.ContainsKey("X-Show-Headers") ? $" authorization=[{h.Authorization}] apikey=[{h["X-Api-Key"]}] cookie=[{h.Cookie}] user=[{h["Micro-User"]}]" : "";
                await context.Response.WriteAsync($"{service} {context.Request.Method} {context.Request.Path}{context.Request.QueryString} base={h["X-Micro-Web-Base-Path"]}{shown}");
            });
        });
        _owned.Add(app);
        await Kit.Registry.RegisterAsync(new Service { Name = service, Nodes = [new Node { Id = service + "-1", Address = address }] }, TimeSpan.FromMinutes(5));
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }

        await Kit.DisposeAsync();
        await Broker.DisposeAsync();
    }
}
