using System.Collections.Concurrent;
using System.ComponentModel;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Micro.Client;
using Micro.Selector;
using Micro.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Micro.Mcp.Tests;

/// <summary>Services on memory components, Micro's MCP server over an in-process stream pair, and the SDK's own client on the other end.</summary>
internal sealed class McpHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private RegistrySelector? _selector;
    private Task? _server;

    private McpHarness(TestKit kit) => Kit = kit;

    public TestKit Kit { get; }

    public RegistryTools Tools { get; private set; } = null!;

    public McpToolCalls Calls { get; private set; } = null!;

    public McpClient Client { get; private set; } = null!;

    public LogLines Logs { get; } = new();

    public static async Task<McpHarness> StartAsync(McpOptions options, Func<TestKit, Task> services)
    {
        var harness = new McpHarness(new TestKit(transport: new MemoryTransport(new MemoryNetwork())));
        await services(harness.Kit);
        harness._selector = new RegistrySelector(harness.Kit.Registry);
        var client = new MicroClient(harness._selector, harness.Kit.Transport);
        var logging = LoggerFactory.Create(b => b.AddProvider(harness.Logs));
        harness.Tools = new RegistryTools(harness.Kit.Registry, options, NullLogger<RegistryTools>.Instance);
        await harness.Tools.StartAsync();
        harness.Calls = new McpToolCalls(harness.Tools, client, options, logging);
        var toServer = new Pipe();
        var toClient = new Pipe();
        harness._server = MicroMcpServer.RunAsync(new ModelContextProtocol.Server.StreamServerTransport(toServer.Reader.AsStream(), toClient.Writer.AsStream(), "micro", NullLoggerFactory.Instance),
            harness.Calls, NullLoggerFactory.Instance, harness._stop.Token);
        harness.Client = await McpClient.CreateAsync(new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream(), NullLoggerFactory.Instance));
        return harness;
    }

    public async ValueTask DisposeAsync()
    {
        if (Client is not null)
        {
            await Client.DisposeAsync();
        }

        await _stop.CancelAsync();
        try
        {
            await (_server ?? Task.CompletedTask);
        }
        catch (OperationCanceledException)
        {
        }

        await Calls.DisposeAsync();
        await Tools.DisposeAsync();
        await _selector!.DisposeAsync();
        await Kit.DisposeAsync();
    }

    public static async Task Until(Func<Task<bool>> condition, string what)
    {
        for (var i = 0; i < 500; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"timed out waiting for: {what}");
    }
}

/// <summary>Every log line written, by category, for tests of what is (and is not) logged.</summary>
internal sealed class LogLines : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, string Message)> _lines = new();

    public IReadOnlyList<string> All => [.. _lines.Select(l => l.Message)];

    public IReadOnlyList<string> Of(string category) => [.. _lines.Where(l => l.Category == category).Select(l => l.Message)];

    public ILogger CreateLogger(string categoryName) => new Lines(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Lines(string category, ConcurrentQueue<(string, string)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => lines.Enqueue((category, formatter(state, exception)));
    }
}

/// <summary>Id and Ship are required (System.Text.Json refuses an order without them), and so is an address's City.</summary>
public sealed record Order([property: System.Text.Json.Serialization.JsonRequired] string Id, int Quantity, IReadOnlyList<string> Tags, Dictionary<string, int> Counts,
    [property: System.Text.Json.Serialization.JsonRequired] Address Ship);

public sealed record Address([property: System.ComponentModel.DataAnnotations.Required] string City);

public sealed class Orders
{
    [Description("Places an order and says where it goes.")]
    public Task<HelloResponse> Place(Order order, CancellationToken cancellationToken)
        => order.Quantity > 0 ? Task.FromResult(new HelloResponse($"placed {order.Id} x{order.Quantity} to {order.Ship.City}"))
            : throw MicroException.BadRequest("orders", "quantity must be positive");
}

public sealed record CountTo(int N);

public sealed record Tick(int I);

public sealed record Number(int Value);

/// <summary>A server stream (a tool) and a client stream (not one: an agent cannot feed a stream).</summary>
public sealed class Counter
{
    public static int Started;

    public async IAsyncEnumerable<Tick> Count(CountTo request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Started);
        for (var i = 1; i <= request.N; i++)
        {
            await Task.Yield();
            yield return new Tick(i);
        }
    }

    public async Task<Number> Sum(IAsyncEnumerable<Number> numbers, CancellationToken cancellationToken)
    {
        var sum = 0;
        await foreach (var n in numbers.WithCancellation(cancellationToken))
        {
            sum += n.Value;
        }

        return new Number(sum);
    }
}

/// <summary>Answers only when its call is cancelled: a deadline is the only way out.</summary>
public sealed class Waits
{
    public async Task<HelloResponse> Forever(HelloRequest request, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return new HelloResponse("never");
    }
}
