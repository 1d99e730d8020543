using Micro.Commands;
using Micro.Registry;

namespace Micro.Web.Tests;

public sealed class CommandLineTextTests
{
    [Theory]
    [InlineData("list services", new[] { "list", "services" })]
    [InlineData("call greeter Greeter.Hello {\"name\": \"John\"}", new[] { "call", "greeter", "Greeter.Hello", "{\"name\": \"John\"}" })]
    [InlineData("call greeter Greeter.Hello '{\"name\":\"John\"}'", new[] { "call", "greeter", "Greeter.Hello", "{\"name\":\"John\"}" })]
    [InlineData("publish t {\"a\":{\"b\":\"}{\"}} --metadata k=v", new[] { "publish", "t", "{\"a\":{\"b\":\"}{\"}}", "--metadata", "k=v" })]
    [InlineData("call s E [1, 2]", new[] { "call", "s", "E", "[1, 2]" })]
    [InlineData("  get   service \"my svc\" ", new[] { "get", "service", "my svc" })]
    [InlineData("call s E {\"unclosed\": 1", new[] { "call", "s", "E", "{\"unclosed\": 1" })]
    public void Splits_like_a_person_types(string line, string[] expected) => Assert.Equal(expected, CommandLineText.Split(line));
}

public sealed class JsonSkeletonTests
{
    [Fact]
    public void A_request_skeleton_has_an_empty_value_of_each_fields_type()
    {
        var request = new Value
        {
            Name = "Order",
            Type = "Order",
            Values =
            [
                new Value { Name = "id", Type = "string" },
                new Value { Name = "count", Type = "int32" },
                new Value { Name = "paid", Type = "bool" },
                new Value { Name = "tags", Type = "[]string" },
                new Value { Name = "totals", Type = "map[string]double" },
                new Value { Name = "address", Type = "Address", Values = [new Value { Name = "city", Type = "string" }] },
                new Value { Name = "extra", Type = "any" },
            ],
        };
        var skeleton = System.Text.Json.JsonDocument.Parse(JsonSkeleton.For(request)).RootElement;
        Assert.Equal("", skeleton.GetProperty("id").GetString());
        Assert.Equal(0, skeleton.GetProperty("count").GetInt32());
        Assert.False(skeleton.GetProperty("paid").GetBoolean());
        Assert.Equal(0, skeleton.GetProperty("tags").GetArrayLength());
        Assert.Equal(System.Text.Json.JsonValueKind.Object, skeleton.GetProperty("totals").ValueKind);
        Assert.Equal("", skeleton.GetProperty("address").GetProperty("city").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, skeleton.GetProperty("extra").ValueKind);
    }

    [Fact]
    public void No_description_gives_an_empty_object() => Assert.Equal("{}", JsonSkeleton.For(null));
}
