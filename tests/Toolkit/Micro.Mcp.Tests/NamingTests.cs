using Micro.Mcp;
using Micro.Registry;

namespace Micro.Mcp.Tests;

/// <summary>Tool names within MCP's rules, unique and stable; service globs; schemas from the registry's descriptions.</summary>
public sealed class NamingTests
{
    [Fact]
    public void Names_keep_what_mcp_allows_and_a_name_that_had_to_change_ends_in_a_stable_hash()
    {
        Assert.Equal("greeter_Greeter_Hello", ToolNames.For("greeter", "Greeter.Hello"));
        var dotted = ToolNames.For("go.micro.srv.greeter", "Greeter.Hello");
        Assert.Matches("^go_micro_srv_greeter_Greeter_Hello_[0-9a-f]{8}$", dotted);
        Assert.Equal(dotted, ToolNames.For("go.micro.srv.greeter", "Greeter.Hello")); // the same every time
        Assert.NotEqual(dotted, ToolNames.For("go_micro.srv.greeter", "Greeter.Hello")); // sanitised alike, named apart

        var hostile = ToolNames.For("svc\n<script>" + new string('x', 300), "A.B");
        Assert.Matches("^[A-Za-z0-9_-]{1,64}$", hostile);
        Assert.Equal(64, hostile.Length);
    }

    [Theory]
    [InlineData("", "greeter", true)]
    [InlineData("greeter,orders*", "orders.eu", true)]
    [InlineData("greeter,orders*", "billing", false)]
    [InlineData("!billing*", "billing.eu", false)]
    [InlineData("!billing*", "greeter", true)]
    [InlineData("", "go.micro.http.broker", false)]
    [InlineData("*", "go.micro.web.dashboard", false)]
    [InlineData("*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    public void Service_globs_include_and_exclude_and_micros_own_services_are_never_tools(string globs, string service, bool included)
        => Assert.Equal(included, new ServiceFilter(globs).Includes(service));

    [Fact]
    public void A_request_nested_past_any_real_message_or_of_unknown_types_gets_an_open_schema_not_an_error()
    {
        Value Nest(int depth) => depth == 0 ? new Value { Name = "leaf", Type = "string" } : new Value { Name = "n", Type = "Node", Values = [Nest(depth - 1)] };
        var schema = ToolSchema.For(new Value { Name = "Req", Type = "Req", Values = [Nest(50), new Value { Name = "odd", Type = "chan int" }] });
        Assert.Equal("object", schema.GetProperty("type").GetString());
        Assert.False(schema.GetProperty("properties").GetProperty("odd").TryGetProperty("type", out _)); // unknown: open
        Assert.True(schema.GetRawText().Length < 10_000);
    }

    [Fact]
    public void Registry_descriptions_and_field_lists_reach_the_agent_bounded()
    {
        var clean = RegistryTools.Clean("Greets.\u001b[31m\u0000 " + new string('x', 5000));
        Assert.Equal(1000, clean.Length);
        Assert.DoesNotContain(clean, char.IsControl);

        var wide = ToolSchema.For(new Value { Name = "Req", Type = "Req", Values = Enumerable.Range(0, 10_000).Select(i => new Value { Name = $"f{i}", Type = "string" }).ToList() });
        Assert.Equal(256, wide.GetProperty("properties").EnumerateObject().Count());
    }

    [Fact]
    public void Required_paths_from_the_registry_mark_only_fields_it_describes()
    {
        var request = new Value
        {
            Name = "Req", Type = "Req", Values =
            [
                new Value { Name = "id", Type = "string" },
                new Value { Name = "ship", Type = "Address", Values = [new Value { Name = "city", Type = "string" }] },
                new Value { Name = "stops", Type = "[]Address", Values = [new Value { Name = "city", Type = "string" }] },
            ],
        };

        // Registrants write this metadata: paths naming nothing, into lists, or thousands long are dropped, not errors.
        var hostile = "id,ship.city,nobody,ship.zip,stops.city,," + string.Join(',', Enumerable.Range(0, 10_000).Select(i => $"f{i}"));
        var schema = ToolSchema.For(request, Micro.Server.RequiredFields.Parse(hostile));
        Assert.Equal(["id"], schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        var properties = schema.GetProperty("properties");
        Assert.Equal(["city"], properties.GetProperty("ship").GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.False(properties.GetProperty("stops").GetProperty("items").TryGetProperty("required", out _));
        Assert.Equal(256, Micro.Server.RequiredFields.Parse(hostile).Count);
    }
}
