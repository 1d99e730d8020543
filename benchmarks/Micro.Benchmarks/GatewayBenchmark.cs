using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Micro.Api;
using Micro.Hosting;
using Micro.Transport.Http;

namespace Micro.Benchmarks;

/// <summary>
/// HTTP in, RPC behind: the gateway in front of the Micro greeter, against a plain Kestrel endpoint that parses the same
/// JSON request and returns the same JSON reply. Both in their own processes, driven by the same HttpClient load.
/// </summary>
internal static class GatewayBenchmark
{
    private const string Body = """{"name":"John"}""";

    public static async Task<(LoadResult Gateway, LoadResult Kestrel)> RunAsync(string registryFolder, int concurrency, TimeSpan warmup, TimeSpan duration)
    {
        await using var gateway = await ServerProcess.StartAsync("server-gateway", registryFolder);
        await using var kestrel = await ServerProcess.StartAsync("server-kestrel");
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, UseProxy = false, PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan });
        Func<Task> Call(string address) => async () =>
        {
            using var content = new StringContent(Body, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(new Uri(address + "/greeter/hello"), content);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK || !text.Contains("Hello John", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{address}: {(int)response.StatusCode} {text}");
            }
        };

        var viaGateway = Call(gateway.Address);
        var plain = Call(kestrel.Address);
        await viaGateway();
        await plain();
        // Three interleaved rounds, the median of each kept: single runs on a shared 2-core machine moved between 0.49 and 0.75.
        var rounds = new List<(LoadResult Gateway, LoadResult Kestrel)>();
        for (var round = 0; round < 3; round++)
        {
            var g = await LoadRunner.RunAsync("gateway (http -> rpc)", concurrency, viaGateway, gateway, warmup, duration);
            var k = await LoadRunner.RunAsync("kestrel (same json)", concurrency, plain, kestrel, warmup, duration);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  gateway c{concurrency} round {round + 1}: {g.Throughput:N0}/s, plain kestrel {k.Throughput:N0}/s"));
            rounds.Add((g, k));
        }

        return (rounds.Select(r => r.Gateway).OrderBy(r => r.Throughput).ElementAt(1), rounds.Select(r => r.Kestrel).OrderBy(r => r.Throughput).ElementAt(1));
    }

    /// <summary>The gateway process: namespace <c>bench</c>, so <c>/greeter/hello</c> is <c>bench.greeter</c> <c>Greeter.Hello</c>.</summary>
    public static async Task<int> RunGatewayAsync(string registryFolder)
    {
        await using var environment = MicroEnvironment.Create(MicroSettings.Default with { RegistryAddress = registryFolder });
        await using var server = await ApiServer.StartAsync(new ApiOptions { Address = "127.0.0.1:0", Namespace = "bench" }, environment);
        Console.WriteLine("READY http://" + server.Address);
        await Servers.ServeStatsAsync();
        return 0;
    }

    /// <summary>The baseline: Kestrel parsing the request JSON and writing the reply JSON itself.</summary>
    public static async Task<int> RunKestrelAsync()
    {
        var (app, address) = await KestrelEndpoint.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), app => app.Run(async context =>
        {
            using var request = await JsonDocument.ParseAsync(context.Request.Body);
            var name = request.RootElement.GetProperty("name").GetString();
            context.Response.ContentType = "application/json";
            await using var json = new Utf8JsonWriter(context.Response.Body);
            json.WriteStartObject();
            json.WriteString("msg", "Hello " + name);
            json.WriteEndObject();
        }));
        await using (app)
        {
            Console.WriteLine("READY http://" + address);
            await Servers.ServeStatsAsync();
        }

        return 0;
    }
}
