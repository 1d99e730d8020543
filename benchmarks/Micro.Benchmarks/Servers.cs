using System.Net;
using Grpc.Core;
using Micro.Benchmarks.Proto;
using Micro.Registry;
using Micro.Server;
using Micro.Transport.Tcp;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Micro.Benchmarks;

/// <summary>The same greeter as a contract, for the generated typed client.</summary>
[Micro.Contracts.MicroContract("bench.greeter", Name = "Greeter")]
public interface IBenchGreeter
{
    Task<HelloReply> Hello(HelloRequest request, CancellationToken cancellationToken);
}

/// <summary>The Micro greeter: a plain class served over the tcp transport.</summary>
public sealed class BenchGreeter
{
    private static readonly HelloReply Tick = new() { Msg = "tick" };

    public Task<HelloReply> Hello(HelloRequest request, CancellationToken cancellationToken)
        => Task.FromResult(new HelloReply { Msg = "Hello " + request.Name });

    public async IAsyncEnumerable<HelloReply> Count(CountRequest request, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var i = 0; i < request.To; i++)
        {
            yield return Tick;
        }

        await Task.CompletedTask;
    }
}

/// <summary>The gRPC greeter doing the same work.</summary>
public sealed class GrpcGreeter : Proto.Greeter.GreeterBase
{
    private static readonly HelloReply Tick = new() { Msg = "tick" };

    public override Task<HelloReply> Hello(HelloRequest request, ServerCallContext context)
        => Task.FromResult(new HelloReply { Msg = "Hello " + request.Name });

    public override async Task Count(CountRequest request, IServerStreamWriter<HelloReply> responseStream, ServerCallContext context)
    {
        for (var i = 0; i < request.To; i++)
        {
            await responseStream.WriteAsync(Tick);
        }
    }
}

/// <summary>
/// Server processes: print <c>READY address</c>, then answer <c>stats</c> on stdin with <c>STATS allocatedBytes</c>
/// (so the driver can measure server allocations per call) until <c>quit</c>.
/// </summary>
internal static class Servers
{
    /// <param name="transportName">tcp, http, or a NATS URL for the NATS transport.</param>
    public static async Task<int> RunMicroAsync(string registryFolder, string? transportName = null)
    {
        await using var registry = new LocalRegistry(registryFolder);
        await using Micro.Transport.ITransport transport = transportName switch
        {
            null or "tcp" => new TcpTransport(),
            "http" => new Micro.Transport.Http.HttpTransport(),
            _ => new Micro.Nats.NatsTransport(transportName),
        };
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection().BuildServiceProvider();
        await using var server = new MicroServer(ServerOptions.Default with { Name = "bench.greeter" + (transportName is null or "tcp" ? "" : transportName == "http" ? ".http" : ".nats") }, registry, transport,
            HandlerEndpoints.From(typeof(BenchGreeter), "Greeter"), services);
        await server.StartAsync();
        Console.WriteLine("READY " + server.Address);
        await ServeStatsAsync();
        return 0;
    }

    public static async Task<int> RunGrpcAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var app = builder.Build();
        app.MapGrpcService<GrpcGreeter>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.WriteLine("READY " + address);
        await ServeStatsAsync();
        await app.StopAsync();
        return 0;
    }

    internal static async Task ServeStatsAsync()
    {
        while (await Console.In.ReadLineAsync() is { } line)
        {
            if (line == "stats")
            {
                Console.WriteLine("STATS " + GC.GetTotalAllocatedBytes(precise: true));
            }
            else if (line == "quit")
            {
                return;
            }
        }
    }
}
