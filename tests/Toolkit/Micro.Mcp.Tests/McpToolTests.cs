using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Micro.Edge;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Micro.Mcp.Tests;

/// <summary>The SDK's own client against Micro's MCP server over an in-process stream pair: tools from the registry, calls, streams, resources, changes.</summary>
public sealed class McpToolTests : IAsyncLifetime
{
    private McpHarness _mcp = null!;

    public async Task InitializeAsync() => _mcp = await StartAsync(McpOptions.Default);

    public async Task DisposeAsync() => await _mcp.DisposeAsync();

    private static Task<McpHarness> StartAsync(McpOptions options) => McpHarness.StartAsync(options, async kit =>
    {
        await kit.StartServerAsync("greeter", new Greeter());
        await kit.StartServerAsync("orders", new Orders());
        await kit.StartServerAsync("counter", new Counter());
        await kit.StartServerAsync("waits", new Waits());
    });

    private static Dictionary<string, object?> GoodOrder(int quantity = 2) => new()
    {
        ["id"] = "o-1", ["quantity"] = quantity, ["tags"] = new[] { "a" }, ["counts"] = new Dictionary<string, int> { ["x"] = 1 }, ["ship"] = new Dictionary<string, object?> { ["city"] = "Oslo" },
    };

    private static string Text(CallToolResult result) => Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text;

    [Fact]
    public async Task Every_endpoint_is_a_tool_with_a_schema_from_the_registry_and_debug_endpoints_and_client_streams_are_not()
    {
        var tools = (await _mcp.Client.ListToolsAsync()).ToDictionary(t => t.Name);
        Assert.Equal(["counter_Counter_Count", "greeter_Greeter_Hello", "orders_Orders_Place", "waits_Waits_Forever"], tools.Keys.Order());
        var schema = tools["orders_Orders_Place"].JsonSchema;
        Assert.Equal("object", schema.GetProperty("type").GetString());
        var fields = schema.GetProperty("properties");
        Assert.Equal("string", fields.GetProperty("id").GetProperty("type").GetString());
        Assert.Equal("integer", fields.GetProperty("quantity").GetProperty("type").GetString());
        Assert.Equal("array", fields.GetProperty("tags").GetProperty("type").GetString());
        Assert.Equal("string", fields.GetProperty("tags").GetProperty("items").GetProperty("type").GetString());
        Assert.Equal("integer", fields.GetProperty("counts").GetProperty("additionalProperties").GetProperty("type").GetString());
        Assert.Equal("string", fields.GetProperty("ship").GetProperty("properties").GetProperty("city").GetProperty("type").GetString());
        Assert.Equal(["id", "ship"], schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["city"], fields.GetProperty("ship").GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.False(tools["greeter_Greeter_Hello"].JsonSchema.TryGetProperty("required", out _)); // nothing required: no list
        Assert.Equal("integer", tools["counter_Counter_Count"].JsonSchema.GetProperty("properties").GetProperty("n").GetProperty("type").GetString());

        // A plain handler's [Description] is what the agent reads; without one, a sentence naming the endpoint.
        Assert.Equal("Places an order and says where it goes.", tools["orders_Orders_Place"].Description);
        Assert.Contains("Greeter.Hello", tools["greeter_Greeter_Hello"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tool_call_is_an_rpc_and_its_reply_the_result_as_json_text_and_structured_content()
    {
        var result = await _mcp.Client.CallToolAsync("greeter_Greeter_Hello", new Dictionary<string, object?> { ["name"] = "agent" });
        Assert.NotEqual(true, result.IsError);
        Assert.Equal("Hello agent", JsonDocument.Parse(Text(result)).RootElement.GetProperty("msg").GetString());
        Assert.Equal("Hello agent", result.StructuredContent!.Value.GetProperty("msg").GetString());

        var placed = await _mcp.Client.CallToolAsync("orders_Orders_Place", GoodOrder());
        Assert.Contains("placed o-1 x2 to Oslo", Text(placed), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_error_is_a_tool_error_carrying_go_micro_error_json()
    {
        var result = await _mcp.Client.CallToolAsync("orders_Orders_Place", GoodOrder(quantity: 0));
        Assert.True(result.IsError);
        var error = JsonDocument.Parse(Text(result)).RootElement;
        Assert.Equal(400, error.GetProperty("code").GetInt32());
        Assert.Contains("quantity must be positive", error.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("quantity", "\"two\"", "argument 'quantity' must be an integer, got a string")]
    [InlineData("quantity", "2.5", "argument 'quantity' must be an integer, got a number")]
    [InlineData("tags", "[\"a\", 3]", "argument 'tags[1]' must be a string, got a number")]
    [InlineData("ship", "{\"city\": 7}", "argument 'ship.city' must be a string, got a number")]
    [InlineData("ship", "{\"city\": \"Oslo\", \"town\": \"Oslo\"}", "argument 'ship.town' is not a field of this request (fields: city)")]
    [InlineData("ship", "{}", "argument 'ship.city' is required")]
    [InlineData("id", "", "argument 'id' is required")]
    [InlineData("qty", "2", "argument 'qty' is not a field of this request")]
    public async Task Bad_arguments_fail_naming_the_field_and_the_service_is_never_called(string field, string json, string expected)
    {
        var arguments = GoodOrder();
        if (json.Length == 0)
        {
            arguments.Remove(field);
        }
        else
        {
            arguments[field] = JsonDocument.Parse(json).RootElement.Clone();
        }

        var result = await _mcp.Client.CallToolAsync("orders_Orders_Place", arguments);
        Assert.True(result.IsError);
        var error = JsonDocument.Parse(Text(result)).RootElement;
        Assert.Equal(400, error.GetProperty("code").GetInt32());
        Assert.Equal(McpErrors.Id, error.GetProperty("id").GetString());
        Assert.Contains(expected, error.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("orders_Orders_Place: ", error.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calling_a_tool_that_does_not_exist_fails_naming_it()
    {
        var e = await Assert.ThrowsAnyAsync<McpException>(async () => await _mcp.Client.CallToolAsync("nobody_Nothing_Here", new Dictionary<string, object?>()));
        Assert.Contains("nobody_Nothing_Here", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_stream_returns_its_messages_with_progress_and_stops_at_the_cap()
    {
        // A handler of its own, not CallToolAsync's IProgress: that one is removed when the call returns, and the SDK's
        // client may dispatch the last notifications after the reply.
        var progress = new ConcurrentQueue<int>();
        await using var handler = _mcp.Client.RegisterNotificationHandler(NotificationMethods.ProgressNotification, (notification, _) =>
        {
            if (notification.Params?["progressToken"]?.GetValue<string>() == "count-5")
            {
                progress.Enqueue(notification.Params["progress"]!.GetValue<int>());
            }

            return ValueTask.CompletedTask;
        });
        var result = await _mcp.Client.CallToolAsync("counter_Counter_Count", new Dictionary<string, object?> { ["n"] = 5 },
            options: new RequestOptions { ProgressToken = new ProgressToken("count-5") });
        Assert.NotEqual(true, result.IsError);
        var structured = result.StructuredContent!.Value;
        Assert.Equal([1, 2, 3, 4, 5], structured.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("i").GetInt32()));
        Assert.False(structured.GetProperty("truncated").GetBoolean());
        Assert.Equal(structured.GetRawText(), JsonDocument.Parse(Text(result)).RootElement.GetRawText());
        await McpHarness.Until(() => Task.FromResult(progress.Count == 5), "a progress notification per message");
        Assert.Equal([1, 2, 3, 4, 5], progress.Order()); // the SDK's client may hand notifications on out of order

        await using var capped = await McpHarness.StartAsync(McpOptions.Default with { MaxStreamMessages = 3 }, kit => kit.StartServerAsync("counter", new Counter()));
        var endless = await capped.Client.CallToolAsync("counter_Counter_Count", new Dictionary<string, object?> { ["n"] = 1_000_000 });
        var cut = endless.StructuredContent!.Value;
        Assert.Equal(3, cut.GetProperty("messages").GetArrayLength());
        Assert.True(cut.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public async Task The_services_are_resources_a_caller_can_list_and_read_and_an_unknown_one_is_refused()
    {
        var resources = (await _mcp.Client.ListResourcesAsync()).Select(r => r.Uri).ToList();
        Assert.Equal(["micro://services", "micro://services/counter", "micro://services/greeter", "micro://services/orders", "micro://services/waits"], resources);

        var list = await _mcp.Client.ReadResourceAsync("micro://services");
        Assert.Equal(["counter", "greeter", "orders", "waits"], JsonSerializer.Deserialize<string[]>(Assert.IsType<TextResourceContents>(Assert.Single(list.Contents)).Text)!);

        var orders = await _mcp.Client.ReadResourceAsync("micro://services/orders");
        var service = JsonDocument.Parse(Assert.IsType<TextResourceContents>(Assert.Single(orders.Contents)).Text).RootElement[0];
        Assert.Equal("orders", service.GetProperty("name").GetString());
        Assert.Contains(service.GetProperty("endpoints").EnumerateArray(), e => e.GetProperty("name").GetString() == "Orders.Place");
        Assert.NotEmpty(service.GetProperty("nodes").EnumerateArray());

        var e = await Assert.ThrowsAnyAsync<McpException>(async () => await _mcp.Client.ReadResourceAsync("micro://services/nobody"));
        Assert.Contains("micro://services/nobody", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<McpException>(async () => await _mcp.Client.ReadResourceAsync("file:///etc/passwd"));
        await Assert.ThrowsAnyAsync<McpException>(async () => await _mcp.Client.ReadResourceAsync("micro://services/%2e%2e%2fgreeter"));

        // The refusal quotes what it was asked, so a URI an attacker chose comes back short and without control characters.
        var hostile = await Assert.ThrowsAnyAsync<McpException>(async () => await _mcp.Client.ReadResourceAsync("micro://services/\u001b[31m\r\n" + new string('x', 1000)));
        Assert.DoesNotContain(hostile.Message, char.IsControl);
        Assert.DoesNotContain(new string('x', 121), hostile.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_call_writes_one_audit_line_and_the_arguments_only_when_asked()
    {
        await _mcp.Client.CallToolAsync("greeter_Greeter_Hello", new Dictionary<string, object?> { ["name"] = "secret-name" });
        await _mcp.Client.CallToolAsync("orders_Orders_Place", GoodOrder(quantity: 0));
        await Assert.ThrowsAnyAsync<McpException>(async () => await _mcp.Client.CallToolAsync("nobody_Nothing_Here", new Dictionary<string, object?>()));
        var lines = _mcp.Logs.Of(McpToolCalls.AuditCategory);
        Assert.Equal(3, lines.Count);
        Assert.Matches(@"^mcp call by local: greeter_Greeter_Hello -> 200 in [0-9.]+ ms$", lines[0]);
        Assert.Matches(@"^mcp call by local: orders_Orders_Place -> 400 in [0-9.]+ ms$", lines[1]);
        Assert.Matches(@"^mcp call by local: nobody_Nothing_Here -> 404 in [0-9.]+ ms$", lines[2]);
        Assert.DoesNotContain(lines, l => l.Contains("secret-name", StringComparison.Ordinal));

        await using var auditing = await McpHarness.StartAsync(McpOptions.Default with { AuditArguments = true }, kit => kit.StartServerAsync("greeter", new Greeter()));
        await auditing.Client.CallToolAsync("greeter_Greeter_Hello", new Dictionary<string, object?> { ["name"] = "secret-name" });
        var line = Assert.Single(auditing.Logs.Of(McpToolCalls.AuditCategory));
        Assert.Matches(@"^mcp call by local: greeter_Greeter_Hello -> 200 in [0-9.]+ ms, arguments \{""name"":""secret-name""\}$", line);
    }

    [Fact]
    public async Task Past_the_rate_limit_a_call_is_a_429_tool_error_that_says_when_to_retry_and_no_rpc_is_made()
    {
        await using var limited = await McpHarness.StartAsync(McpOptions.Default with { RateLimit = EdgeRateLimit.Parse("2/m") }, kit => kit.StartServerAsync("greeter", new Greeter()));
        var hello = new Dictionary<string, object?> { ["name"] = "a" };
        Assert.NotEqual(true, (await limited.Client.CallToolAsync("greeter_Greeter_Hello", hello)).IsError);
        Assert.NotEqual(true, (await limited.Client.CallToolAsync("greeter_Greeter_Hello", hello)).IsError);
        var refused = await limited.Client.CallToolAsync("greeter_Greeter_Hello", hello);
        Assert.True(refused.IsError);
        var error = JsonDocument.Parse(Text(refused)).RootElement;
        Assert.Equal(429, error.GetProperty("code").GetInt32());
        Assert.Contains("retry", error.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("-> 429 in", limited.Logs.Of(McpToolCalls.AuditCategory)[^1].Split(" in ")[0] + " in", StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_requests_meta_timeout_is_the_calls_deadline_and_the_server_side_call_ends()
    {
        var result = await _mcp.Client.CallToolAsync("waits_Waits_Forever", new Dictionary<string, object?> { ["name"] = "x" },
            options: new RequestOptions { Meta = new JsonObject { ["timeout"] = 200 } });
        Assert.True(result.IsError);
        var error = JsonDocument.Parse(Text(result)).RootElement;
        Assert.Equal(408, error.GetProperty("code").GetInt32());

        await using var bounded = await McpHarness.StartAsync(McpOptions.Default with { Timeout = TimeSpan.FromMilliseconds(200) }, kit => kit.StartServerAsync("waits", new Waits()));
        var capped = await bounded.Client.CallToolAsync("waits_Waits_Forever", new Dictionary<string, object?> { ["name"] = "x" },
            options: new RequestOptions { Meta = new JsonObject { ["timeout"] = "1h" } });
        Assert.Equal(408, JsonDocument.Parse(Text(capped)).RootElement.GetProperty("code").GetInt32());
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(250.0, 250.0)]
    [InlineData("5s", 5000.0)]
    [InlineData("1m", 60000.0)]
    [InlineData(-1.0, null)]
    [InlineData(0.0, null)]
    [InlineData("soon", null)]
    [InlineData(1e300, null)]
    public void Meta_timeout_is_milliseconds_or_a_duration_and_anything_else_is_ignored(object? given, double? milliseconds)
    {
        var meta = given switch
        {
            null => new JsonObject(),
            double d => new JsonObject { ["timeout"] = d },
            string s => new JsonObject { ["timeout"] = s },
            _ => throw new ArgumentOutOfRangeException(nameof(given)),
        };
        Assert.Equal(milliseconds, McpToolCalls.RequestedTimeout(meta)?.TotalMilliseconds);
    }

    [Fact]
    public async Task Scopes_decide_which_tools_a_caller_lists_and_calls_and_a_tool_out_of_scope_looks_like_one_that_does_not_exist()
    {
        await using var scoped = await StartAsync(McpOptions.Default with { Allow = ToolAccess.Parse("local=greeter.*,counter.Counter.Count;ops=*") });
        Assert.Equal(["counter_Counter_Count", "greeter_Greeter_Hello"], (await scoped.Client.ListToolsAsync()).Select(t => t.Name).Order());
        Assert.Equal(["micro://services", "micro://services/counter", "micro://services/greeter"], (await scoped.Client.ListResourcesAsync()).Select(r => r.Uri));
        await Assert.ThrowsAnyAsync<McpException>(async () => await scoped.Client.ReadResourceAsync("micro://services/orders"));

        var hidden = await Assert.ThrowsAnyAsync<McpException>(async () => await scoped.Client.CallToolAsync("orders_Orders_Place", GoodOrder()));
        var missing = await Assert.ThrowsAnyAsync<McpException>(async () => await scoped.Client.CallToolAsync("orders_Orders_Gone", GoodOrder()));
        Assert.Equal(missing.Message.Replace("orders_Orders_Gone", "X", StringComparison.Ordinal), hidden.Message.Replace("orders_Orders_Place", "X", StringComparison.Ordinal));
        Assert.NotEqual(true, (await scoped.Client.CallToolAsync("greeter_Greeter_Hello", new Dictionary<string, object?> { ["name"] = "a" })).IsError);
    }

    [Fact]
    public async Task A_service_that_starts_and_stops_sends_tools_list_changed_and_the_list_follows()
    {
        var changes = 0;
        await using var handler = _mcp.Client.RegisterNotificationHandler(NotificationMethods.ToolListChangedNotification, (_, _) =>
        {
            Interlocked.Increment(ref changes);
            return ValueTask.CompletedTask;
        });

        var started = await _mcp.Kit.StartServerAsync("weather", new WhoCalls());
        await McpHarness.Until(async () => (await _mcp.Client.ListToolsAsync()).Any(t => t.Name == "weather_WhoCalls_Who"), "weather's tool listed");
        await McpHarness.Until(() => Task.FromResult(Volatile.Read(ref changes) >= 1), "list_changed after weather started");

        var before = Volatile.Read(ref changes);
        await started.StopAsync();
        await McpHarness.Until(async () => (await _mcp.Client.ListToolsAsync()).All(t => t.Name != "weather_WhoCalls_Who"), "weather's tool gone");
        await McpHarness.Until(() => Task.FromResult(Volatile.Read(ref changes) > before), "list_changed after weather stopped");
    }
}
