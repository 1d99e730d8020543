using System.Globalization;
using Grpc.Net.Client;
using Micro.Benchmarks;
using Micro.Benchmarks.Proto;
using Micro.Client;
using Micro.Codec;
using Micro.Hosting;

// Modes: (default) the driver; "server-micro <registry folder>" and "server-grpc" are the child processes it starts.
switch (args.FirstOrDefault())
{
    case "server-micro":
        return await Servers.RunMicroAsync(args[1]);
    case "server-grpc":
        return await Servers.RunGrpcAsync();
}

var quick = args.Contains("--quick");
var warmup = TimeSpan.FromSeconds(quick ? 2 : 4);
var duration = TimeSpan.FromSeconds(quick ? 4 : 10);
int[] concurrencies = [1, 16, 128];
var folder = Path.Combine(Path.GetTempPath(), "micro-bench-" + Environment.ProcessId);

Console.WriteLine($"Micro vs gRPC (Grpc.AspNetCore), unary greeter calls, protobuf payloads, client and servers in separate processes");
Console.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}, warmup {warmup.TotalSeconds}s, measure {duration.TotalSeconds}s per run{(quick ? " (quick)" : "")}");

await using var microServer = await ServerProcess.StartAsync("server-micro", folder);
await using var grpcServer = await ServerProcess.StartAsync("server-grpc");

// Micro: found through the registry and selector, as an application would call it.
await using var micro = MicroEnvironment.Create(MicroSettings.Default with { RegistryAddress = folder });
var microClient = new MicroClient(micro.Selector, micro.Transport, CodecRegistry.Default, ClientOptions.Default with { ContentType = ProtobufCodec.MediaType });
var request = new HelloRequest { Name = "John" };
Task MicroCall() => microClient.CallAsync<HelloRequest, HelloReply>("bench.greeter", "Greeter.Hello", request).AsTask();

// gRPC: the client a .NET user would write, allowed several HTTP/2 connections like Micro's pool.
using var channel = GrpcChannel.ForAddress(grpcServer.Address, new GrpcChannelOptions
{
    HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan },
});
var grpcClient = new Greeter.GreeterClient(channel);
Task GrpcCall() => grpcClient.HelloAsync(request).ResponseAsync;

// Both answer before measuring.
await MicroCall();
await GrpcCall();

var results = new List<(LoadResult Micro, LoadResult Grpc)>();
foreach (var c in concurrencies)
{
    var m = await LoadRunner.RunAsync("micro-tcp", c, MicroCall, microServer, warmup, duration);
    var g = await LoadRunner.RunAsync("grpc", c, GrpcCall, grpcServer, warmup, duration);
    results.Add((m, g));
    Console.WriteLine($"  c{c}: micro {m.Throughput:N0}/s, grpc {g.Throughput:N0}/s");
}

Console.WriteLine();
Console.WriteLine("| system | callers | calls/s | p50 µs | p99 µs | client B/call | server B/call | errors |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
foreach (var (m, g) in results)
{
    foreach (var r in new[] { m, g })
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {r.System} | {r.Concurrency} | {r.Throughput:N0} | {r.P50Us:N0} | {r.P99Us:N0} | {r.ClientBytesPerCall:N0} | {r.ServerBytesPerCall:N0} | {r.Errors} |"));
    }
}

Console.WriteLine();
foreach (var (m, g) in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio rpc-tcp-vs-grpc-c{m.Concurrency} {m.Throughput / g.Throughput:0.00}"));
}

try
{
    Directory.Delete(folder, recursive: true);
}
catch (IOException)
{
}

return results.Any(r => r.Micro.Errors > 0) ? 1 : 0;
