using Micro.Client;
using Micro.Codec;
using Micro.Pipelines;
using Micro.Registry;
using Micro.Selector;
using Micro.Server;
using Micro.Transport;
using Micro.Transport.Tcp;
using Microsoft.Extensions.DependencyInjection;

namespace Micro.Testing;

/// <summary>Starts real servers (tcp on 127.0.0.1, port 0) and clients over one registry, for tests.</summary>
public sealed class TestKit : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    public TestKit(IRegistry? registry = null, ITransport? transport = null)
    {
        Registry = registry ?? new MemoryRegistry(pollInterval: TimeSpan.FromMilliseconds(50));
        Transport = transport ?? new TcpTransport();
    }

    public IRegistry Registry { get; }

    public ITransport Transport { get; }

    public async Task<MicroServer> StartServerAsync<THandler>(string name, THandler handler, ServerOptions? options = null, params ServerMiddleware[] middleware)
        where THandler : class
    {
        var services = new ServiceCollection().AddSingleton(handler).AddSingleton(TimeProvider.System).BuildServiceProvider();
        var server = new MicroServer((options ?? ServerOptions.Default) with { Name = name }, Registry, Transport, HandlerEndpoints.From(typeof(THandler)), services, pipeline: WithMiddleware(ServerStages.CreatePipeline(), middleware));
        await server.StartAsync();
        _owned.Add(server);
        return server;
    }

    /// <summary>One server answering for several handler classes (endpoints <c>Class.Method</c> of each).</summary>
    public async Task<MicroServer> StartServerWithAsync(string name, params object[] handlers)
    {
        var collection = new ServiceCollection().AddSingleton(TimeProvider.System);
        foreach (var handler in handlers)
        {
            collection.AddSingleton(handler.GetType(), handler);
        }

        var server = new MicroServer(ServerOptions.Default with { Name = name }, Registry, Transport, handlers.SelectMany(h => HandlerEndpoints.From(h.GetType())).ToArray(), collection.BuildServiceProvider());
        await server.StartAsync();
        _owned.Add(server);
        return server;
    }

    public MicroClient CreateClient(ClientOptions? options = null, ISelectionStrategy? strategy = null, params ClientMiddleware[] middleware)
    {
        var selector = new RegistrySelector(Registry, strategy);
        _owned.Add(selector);
        return new MicroClient(selector, Transport, CodecRegistry.Default, options, WithMiddleware(ClientStages.CreatePipeline(), middleware));
    }

    private static MicroPipeline<TMiddleware> WithMiddleware<TMiddleware>(MicroPipeline<TMiddleware> pipeline, TMiddleware[] middleware)
        where TMiddleware : Delegate
    {
        foreach (var m in middleware)
        {
            pipeline.Use(m);
        }

        return pipeline;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var d in Enumerable.Reverse(_owned))
        {
            await d.DisposeAsync();
        }

        await Transport.DisposeAsync();
        await Registry.DisposeAsync();
    }
}

public sealed record HelloRequest(string Name);

public sealed record HelloResponse(string Msg);

public sealed class Greeter
{
    public Task<HelloResponse> Hello(HelloRequest request, CancellationToken cancellationToken)
        => Task.FromResult(new HelloResponse($"Hello {request.Name}"));
}

public static class Json
{
    public static ReadOnlyMemory<byte> Bytes(string json) => System.Text.Encoding.UTF8.GetBytes(json);

    public static string Text(ReadOnlyMemory<byte> bytes) => System.Text.Encoding.UTF8.GetString(bytes.Span);
}

/// <summary>Answers who the call says it comes from (<c>Micro-User</c>), for tests of what front ends pass on.</summary>
public sealed class WhoCalls
{
    public Task<HelloResponse> Who(HelloRequest request, CancellationToken cancellationToken)
        => Task.FromResult(new HelloResponse("user=" + (CallContext.Current?.Metadata.GetValueOrDefault(Micro.Transport.MicroHeaders.User) ?? "none")));
}
