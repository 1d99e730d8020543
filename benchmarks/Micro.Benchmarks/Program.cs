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
        return await Servers.RunMicroAsync(args[1], args.Length > 2 ? args[2] : null);
    case "server-grpc":
        return await Servers.RunGrpcAsync();
    case "server-gateway":
        return await GatewayBenchmark.RunGatewayAsync(args[1]);
    case "server-kestrel":
        return await GatewayBenchmark.RunKestrelAsync();
}

var quick = args.Contains("--quick");
var brokersOnly = args.Contains("--brokers-only"); // for working on the brokers: skips the RPC runs
var gatewayOnly = args.Contains("--gateway-only"); // for working on the gateway: only its run
var warmup = TimeSpan.FromSeconds(quick ? 2 : 4);
var duration = TimeSpan.FromSeconds(quick ? 4 : 10);
int[] concurrencies = brokersOnly ? [16] : [1, 16, 128];
var folder = Path.Combine(Path.GetTempPath(), "micro-bench-" + Environment.ProcessId);

Console.WriteLine($"Micro vs gRPC (Grpc.AspNetCore), unary greeter calls, protobuf payloads, client and servers in separate processes");
Console.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}, warmup {warmup.TotalSeconds}s, measure {duration.TotalSeconds}s per run{(quick ? " (quick)" : "")}");

await using var microServer = await ServerProcess.StartAsync("server-micro", folder);
await using var grpcServer = await ServerProcess.StartAsync("server-grpc");

if (gatewayOnly)
{
    var (gw, plain) = await GatewayBenchmark.RunAsync(folder, 64, warmup, duration);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio gateway-vs-kestrel {gw.Throughput / plain.Throughput:0.00}"));
    return 0;
}

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

// The generated typed client against the string-named call, same service, 16 callers.
IBenchGreeter typed = new GreeterClient(microClient, contentType: ProtobufCodec.MediaType);
Task TypedCall() => typed.Hello(request, CancellationToken.None);
await TypedCall();
var typedRun = await LoadRunner.RunAsync("micro-typed", 16, TypedCall, microServer, warmup, duration);
var untyped16 = results.Single(r => r.Micro.Concurrency == 16).Micro;
Console.WriteLine($"  typed client c16: {typedRun.Throughput:N0}/s (untyped {untyped16.Throughput:N0}/s)");

// Server streaming: one call, many messages, Micro over tcp against a gRPC server stream.
var streamMessages = quick ? 200_000 : 1_000_000;
async Task<double> MicroStreamAsync()
{
    var started = System.Diagnostics.Stopwatch.GetTimestamp();
    var n = 0;
    await foreach (var _ in microClient.StreamAsync<CountRequest, HelloReply>("bench.greeter", "Greeter.Count", new CountRequest { To = streamMessages }, contentType: ProtobufCodec.MediaType))
    {
        n++;
    }

    return n / System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
}

async Task<double> GrpcStreamAsync()
{
    var started = System.Diagnostics.Stopwatch.GetTimestamp();
    var n = 0;
    using var call = grpcClient.Count(new CountRequest { To = streamMessages });
    while (await call.ResponseStream.MoveNext(CancellationToken.None))
    {
        n++;
    }

    return n / System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
}

await MicroStreamAsync();
await GrpcStreamAsync();
var streamRuns = new List<(double Micro, double Grpc)>();
for (var round = 0; round < 3; round++)
{
    streamRuns.Add((await MicroStreamAsync(), await GrpcStreamAsync()));
}

var microStream = streamRuns.Select(r => r.Micro).Order().ElementAt(1);
var grpcStream = streamRuns.Select(r => r.Grpc).Order().ElementAt(1);
Console.WriteLine($"  server stream: micro {microStream:N0} msgs/s, grpc {grpcStream:N0} msgs/s");

// RPC over the NATS transport, beside tcp at 16 callers.
await using var nats = new Micro.TestFixtures.NatsServer();
await nats.StartAsync();
await using var natsServer = await ServerProcess.StartAsync("server-micro", folder, nats.Url);
await using var natsTransport = new Micro.Nats.NatsTransport(nats.Url);
var natsClient = new MicroClient(micro.Selector, natsTransport, CodecRegistry.Default, ClientOptions.Default with { ContentType = ProtobufCodec.MediaType });
Task NatsCall() => natsClient.CallAsync<HelloRequest, HelloReply>("bench.greeter.nats", "Greeter.Hello", request).AsTask();
await NatsCall();
var overNats = await LoadRunner.RunAsync("micro-nats", 16, NatsCall, natsServer, warmup, duration);
var tcp16 = results.Single(r => r.Micro.Concurrency == 16).Micro;
Console.WriteLine($"  rpc over nats c16: {overNats.Throughput:N0}/s (tcp {tcp16.Throughput:N0}/s)");

// RPC over the http transport (go-micro's default), beside tcp at 16 callers.
await using var httpServer = await ServerProcess.StartAsync("server-micro", folder, "http");
await using var httpTransport = new Micro.Transport.Http.HttpTransport();
var httpClient = new MicroClient(micro.Selector, httpTransport, CodecRegistry.Default, ClientOptions.Default with { ContentType = ProtobufCodec.MediaType });
Task HttpCall() => httpClient.CallAsync<HelloRequest, HelloReply>("bench.greeter.http", "Greeter.Hello", request).AsTask();
await HttpCall();
var overHttp = await LoadRunner.RunAsync("micro-http", 16, HttpCall, httpServer, warmup, duration);
Console.WriteLine($"  rpc over http c16: {overHttp.Throughput:N0}/s");

// The gateway (HTTP in, RPC behind) against plain Kestrel returning the same JSON, 64 HTTP callers.
var (gatewayRun, kestrelRun) = await GatewayBenchmark.RunAsync(folder, 64, warmup, duration);

// Publish-to-delivery through Micro's brokers against the raw client libraries.
var natsMessages = quick ? 100_000 : 300_000;
await using var rabbit = new Micro.TestFixtures.RabbitMqServer();
await rabbit.StartAsync();
var rabbitMessages = quick ? 5_000 : 20_000;
await using var microNats = new Micro.Nats.NatsBroker(nats.Url);
await using var microRabbit = new Micro.RabbitMQ.RabbitMqBroker(Micro.RabbitMQ.RabbitMqBrokerOptions.Default with { Url = rabbit.Url });

// Three interleaved rounds, the median of each kept: one short run on a shared 2-core machine is mostly noise.
static BrokerResult Median(List<BrokerResult> runs) => runs.OrderBy(r => r.Throughput).ElementAt(runs.Count / 2);
var natsRuns = (Micro: new List<BrokerResult>(), Headers: new List<BrokerResult>(), Payload: new List<BrokerResult>());
var rabbitRuns = (Micro: new List<BrokerResult>(), Raw: new List<BrokerResult>());
await BrokerBenchmark.MicroAsync("warm-up", microNats, 5_000);
await BrokerBenchmark.RawNatsAsync(nats.Url, 5_000, withHeaders: true);
await BrokerBenchmark.MicroAsync("warm-up", microRabbit, 1_000);
await BrokerBenchmark.RawRabbitMqAsync(rabbit.Url, 1_000);
for (var round = 0; round < 3; round++)
{
    natsRuns.Micro.Add(await BrokerBenchmark.MicroAsync("micro broker on NATS", microNats, natsMessages));
    natsRuns.Headers.Add(await BrokerBenchmark.RawNatsAsync(nats.Url, natsMessages, withHeaders: true));
    natsRuns.Payload.Add(await BrokerBenchmark.RawNatsAsync(nats.Url, natsMessages, withHeaders: false));
    rabbitRuns.Micro.Add(await BrokerBenchmark.MicroAsync("micro broker on RabbitMQ", microRabbit, rabbitMessages));
    rabbitRuns.Raw.Add(await BrokerBenchmark.RawRabbitMqAsync(rabbit.Url, rabbitMessages));
}

var microOnNats = Median(natsRuns.Micro);
var brokerResults = new List<(BrokerResult Micro, BrokerResult Raw, string Name)>
{
    (microOnNats, Median(natsRuns.Headers), "broker-nats-vs-raw"),
    (microOnNats, Median(natsRuns.Payload), "broker-nats-vs-raw-payload-only"),
    (Median(rabbitRuns.Micro), Median(rabbitRuns.Raw), "broker-rabbitmq-vs-raw"),
};

Console.WriteLine();
Console.WriteLine("| rpc | callers | calls/s | p50 µs | p99 µs | client B/call | server B/call | errors |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
foreach (var r in new[] { tcp16, typedRun, overHttp, overNats, gatewayRun, kestrelRun })
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {r.System} | {r.Concurrency} | {r.Throughput:N0} | {r.P50Us:N0} | {r.P99Us:N0} | {r.ClientBytesPerCall:N0} | {r.ServerBytesPerCall:N0} | {r.Errors} |"));
}

Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| server stream ({streamMessages:N0} messages, median of 3) | msgs/s |"));
Console.WriteLine("|---|---:|");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| micro-tcp | {microStream:N0} |"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| grpc | {grpcStream:N0} |"));

Console.WriteLine();
Console.WriteLine("| publish → delivery | messages | msgs/s | p50 µs | p99 µs |");
Console.WriteLine("|---|---:|---:|---:|---:|");
foreach (var x in brokerResults.SelectMany(b => new[] { b.Micro, b.Raw }).Distinct())
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {x.System} | {x.Messages:N0} | {x.Throughput:N0} | {x.P50Us:N0} | {x.P99Us:N0} |"));
}

Console.WriteLine();
foreach (var (m, g) in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio rpc-tcp-vs-grpc-c{m.Concurrency} {m.Throughput / g.Throughput:0.00}"));
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio stream-vs-grpc {microStream / grpcStream:0.00}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio typed-vs-untyped-c16 {typedRun.Throughput / untyped16.Throughput:0.00}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio rpc-http-vs-tcp-c16 {overHttp.Throughput / tcp16.Throughput:0.00}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio rpc-nats-vs-tcp-c16 {overNats.Throughput / tcp16.Throughput:0.00}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio gateway-vs-kestrel {gatewayRun.Throughput / kestrelRun.Throughput:0.00}"));
foreach (var (m, r, name) in brokerResults)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio {name} {m.Throughput / r.Throughput:0.00}"));
}

try
{
    Directory.Delete(folder, recursive: true);
}
catch (IOException)
{
}

return results.Any(r => r.Micro.Errors > 0) ? 1 : 0;
