using System.IO.Pipelines;
using System.Text.Json;
using Micro.Client;
using Micro.Mcp;
using Micro.Registry;
using Micro.Selector;
using Micro.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Micro.Mcp.Tests;

/// <summary>The SDK's own client against Micro's MCP server over an in-process stream pair: tools from the registry, calls, changes.</summary>
public sealed class McpToolTests : IAsyncLifetime
{
    private readonly TestKit _kit = new(transport: new MemoryTransport(new MemoryNetwork()));
    private readonly CancellationTokenSource _stop = new();
    private RegistrySelector? _selector;
    private RegistryTools? _tools;
    private Task? _server;
    private McpClient? _client;

    public sealed record Order(string Id, int Quantity, IReadOnlyList<string> Tags, Dictionary<string, int> Counts, Address Ship);

    public sealed record Address(string City);

    public sealed class Orders
    {
        public Task<HelloResponse> Place(Order order, CancellationToken cancellationToken)
            => order.Quantity > 0 ? Task.FromResult(new HelloResponse($"placed {order.Id} x{order.Quantity} to {order.Ship.City}"))
                : throw MicroException.BadRequest("orders", "quantity must be positive");
    }

    public async Task InitializeAsync()
    {
        await _kit.StartServerAsync("greeter", new Greeter());
        await _kit.StartServerAsync("orders", new Orders());
        _selector = new RegistrySelector(_kit.Registry);
        var client = new MicroClient(_selector, _kit.Transport);
        _tools = new RegistryTools(_kit.Registry, client, McpOptions.Default, NullLogger<RegistryTools>.Instance);
        await _tools.StartAsync();

        var toServer = new Pipe();
        var toClient = new Pipe();
        _server = MicroMcpServer.RunAsync(new ModelContextProtocol.Server.StreamServerTransport(toServer.Reader.AsStream(), toClient.Writer.AsStream(), "micro", NullLoggerFactory.Instance),
            _tools, McpOptions.Default, NullLoggerFactory.Instance, _stop.Token);
        _client = await McpClient.CreateAsync(new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream(), NullLoggerFactory.Instance));
    }

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        await _stop.CancelAsync();
        try
        {
            await (_server ?? Task.CompletedTask);
        }
        catch (OperationCanceledException)
        {
        }

        await _tools!.DisposeAsync();
        await _selector!.DisposeAsync();
        await _kit.DisposeAsync();
    }

    [Fact]
    public async Task Every_endpoint_is_a_tool_with_a_schema_from_the_registry_and_debug_endpoints_are_not()
    {
        var tools = (await _client!.ListToolsAsync()).ToDictionary(t => t.Name);
        Assert.Equal(["greeter_Greeter_Hello", "orders_Orders_Place"], tools.Keys.Order());
        var schema = tools["orders_Orders_Place"].JsonSchema;
        Assert.Equal("object", schema.GetProperty("type").GetString());
        var fields = schema.GetProperty("properties");
        Assert.Equal("string", fields.GetProperty("id").GetProperty("type").GetString());
        Assert.Equal("integer", fields.GetProperty("quantity").GetProperty("type").GetString());
        Assert.Equal("array", fields.GetProperty("tags").GetProperty("type").GetString());
        Assert.Equal("string", fields.GetProperty("tags").GetProperty("items").GetProperty("type").GetString());
        Assert.Equal("integer", fields.GetProperty("counts").GetProperty("additionalProperties").GetProperty("type").GetString());
        Assert.Equal("string", fields.GetProperty("ship").GetProperty("properties").GetProperty("city").GetProperty("type").GetString());
        Assert.Contains("Orders.Place", tools["orders_Orders_Place"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tool_call_is_an_rpc_and_its_reply_the_result_as_json_text()
    {
        var result = await _client!.CallToolAsync("greeter_Greeter_Hello", new Dictionary<string, object?> { ["name"] = "agent" });
        Assert.NotEqual(true, result.IsError);
        var text = Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;
        Assert.Equal("Hello agent", JsonDocument.Parse(text).RootElement.GetProperty("msg").GetString());

        var placed = await _client.CallToolAsync("orders_Orders_Place", new Dictionary<string, object?>
        {
            ["id"] = "o-1", ["quantity"] = 2, ["tags"] = new[] { "a" }, ["counts"] = new Dictionary<string, int>(), ["ship"] = new Dictionary<string, object?> { ["city"] = "Oslo" },
        });
        Assert.Contains("placed o-1 x2 to Oslo", ((TextContentBlock)placed.Content[0]).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_error_is_a_tool_error_carrying_go_micro_error_json()
    {
        var result = await _client!.CallToolAsync("orders_Orders_Place", new Dictionary<string, object?> { ["id"] = "o-2", ["quantity"] = 0, ["ship"] = new Dictionary<string, object?> { ["city"] = "x" } });
        Assert.True(result.IsError);
        var error = JsonDocument.Parse(((TextContentBlock)result.Content[0]).Text).RootElement;
        Assert.Equal(400, error.GetProperty("code").GetInt32());
        Assert.Contains("quantity must be positive", error.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calling_a_tool_that_does_not_exist_fails_naming_it()
    {
        var e = await Assert.ThrowsAnyAsync<ModelContextProtocol.McpException>(async () => await _client!.CallToolAsync("nobody_Nothing_Here", new Dictionary<string, object?>()));
        Assert.Contains("nobody_Nothing_Here", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_that_starts_and_stops_sends_tools_list_changed_and_the_list_follows()
    {
        var changes = 0;
        await using var handler = _client!.RegisterNotificationHandler(NotificationMethods.ToolListChangedNotification, (_, _) =>
        {
            Interlocked.Increment(ref changes);
            return ValueTask.CompletedTask;
        });

        var started = await _kit.StartServerAsync("weather", new WhoCalls());
        await Until(async () => (await _client.ListToolsAsync()).Any(t => t.Name == "weather_WhoCalls_Who"), "weather's tool listed");
        await Until(() => Task.FromResult(Volatile.Read(ref changes) >= 1), "list_changed after weather started");

        var before = Volatile.Read(ref changes);
        await started.StopAsync();
        await Until(async () => (await _client.ListToolsAsync()).All(t => t.Name != "weather_WhoCalls_Who"), "weather's tool gone");
        await Until(() => Task.FromResult(Volatile.Read(ref changes) > before), "list_changed after weather stopped");
    }

    private static async Task Until(Func<Task<bool>> condition, string what)
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
