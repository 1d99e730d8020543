using Google.Protobuf.WellKnownTypes;
using Micro.Codec;

namespace Micro.Tests;

public sealed class CodecTests
{
    public sealed record Nested(string Name, int[] Numbers, Dictionary<string, string> Labels, Inner? Inner);

    public sealed record Inner(double Value, bool Flag);

    [Fact]
    public void Json_round_trips_and_writes_camel_case()
    {
        var codec = new JsonCodec();
        var value = new Nested("x", [1, 2, 3], new() { ["k"] = "v" }, new Inner(1.5, true));
        var bytes = codec.Encode(value);
        Assert.Equal("""{"name":"x","numbers":[1,2,3],"labels":{"k":"v"},"inner":{"value":1.5,"flag":true}}""", Json.Text(bytes));
        var back = codec.Decode<Nested>(bytes);
        Assert.Equal(value.Name, back.Name);
        Assert.Equal(value.Numbers, back.Numbers);
        Assert.Equal(value.Labels, back.Labels);
        Assert.Equal(value.Inner, back.Inner);
    }

    [Fact]
    public void Json_reads_names_case_insensitively()
    {
        var back = new JsonCodec().Decode<HelloRequest>(Json.Bytes("""{"NAME":"John"}"""));
        Assert.Equal("John", back.Name);
    }

    [Fact]
    public void Bad_json_is_a_400_saying_what_was_wrong()
    {
        var e = Assert.Throws<MicroException>(() => new JsonCodec().Decode<HelloRequest>(Json.Bytes("{\"name\":")));
        Assert.Equal(400, e.Code);
        Assert.Contains("HelloRequest", e.Detail);
    }

    [Fact]
    public void Json_for_a_protobuf_message_is_the_proto3_mapping_go_micros_jsonpb_writes_and_reads()
    {
        // As a go-micro client's json codec (jsonpb) writes it: lowerCamelCase names, int64 as a string, enums by name,
        // bytes in base64, a Timestamp in RFC 3339.
        const string FromGo = """{"tags":["a","b"],"stock":{"x":2},"big":"9007199254740993","colour":"RED","number":7,"data":"AQI=","at":"2026-12-02T10:00:00Z","userName":"jo"}""";
        var codec = new JsonCodec();
        var kinds = codec.Decode<Proto.Kinds>(Json.Bytes(FromGo));
        Assert.Equal(["a", "b"], kinds.Tags); // System.Text.Json reads a repeated field as nothing
        Assert.Equal(2, kinds.Stock["x"]);
        Assert.Equal(9007199254740993L, kinds.Big);
        Assert.Equal(Proto.Kinds.Types.Colour.Red, kinds.Colour);
        Assert.Equal(Proto.Kinds.ChoiceOneofCase.Number, kinds.ChoiceCase);
        Assert.Equal(new byte[] { 1, 2 }, kinds.Data.ToByteArray());
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero), kinds.At.ToDateTimeOffset());
        Assert.Equal("jo", kinds.UserName);

        using var written = System.Text.Json.JsonDocument.Parse(codec.Encode(kinds));
        var root = written.RootElement;
        Assert.Equal("9007199254740993", root.GetProperty("big").GetString());
        Assert.Equal("RED", root.GetProperty("colour").GetString());
        Assert.Equal(7, root.GetProperty("number").GetInt32());
        Assert.False(root.TryGetProperty("choiceCase", out _)); // no C# plumbing on the wire
        Assert.Equal("AQI=", root.GetProperty("data").GetString());
        Assert.Equal("2026-12-02T10:00:00Z", root.GetProperty("at").GetString());
        Assert.Equal("jo", root.GetProperty("userName").GetString());
        Assert.Equal(kinds, codec.Decode<Proto.Kinds>(codec.Encode(kinds)));
        Assert.DoesNotContain(" ", Json.Text(codec.Encode(new Proto.Kinds { Tags = { "x" } })), StringComparison.Ordinal); // compact, as on the wire
    }

    [Theory]
    [InlineData("""{"big":"not a number"}""")]
    [InlineData("""{"colour":"PURPLE"}""")] // strict, as jsonpb is: an unknown enum name or field is not quietly dropped
    [InlineData("""{"newer":1}""")]
    [InlineData("""{"tags":"a"}""")]
    [InlineData("""{"tags":[""")]
    [InlineData("[]")]
    public void Bad_json_for_a_protobuf_message_is_a_400_saying_what_was_wrong(string json)
    {
        var e = Assert.Throws<MicroException>(() => new JsonCodec().Decode<Proto.Kinds>(Json.Bytes(json)));
        Assert.Equal(400, e.Code);
        Assert.Contains("invalid JSON for Kinds", e.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Protobuf_round_trips_generated_messages()
    {
        var codec = new ProtobufCodec();
        var value = new Struct { Fields = { ["name"] = Google.Protobuf.WellKnownTypes.Value.ForString("John"), ["n"] = Google.Protobuf.WellKnownTypes.Value.ForNumber(3) } };
        var back = codec.Decode<Struct>(codec.Encode(value));
        Assert.Equal(value, back);
        Assert.Equal(Duration.FromTimeSpan(TimeSpan.FromSeconds(90)), codec.Decode<Duration>(codec.Encode(Duration.FromTimeSpan(TimeSpan.FromSeconds(90)))));
    }

    [Fact]
    public void Protobuf_rejects_garbage_and_non_messages_with_400()
    {
        var codec = new ProtobufCodec();
        Assert.Equal(400, Assert.Throws<MicroException>(() => codec.Decode<Struct>(new byte[] { 0xFF, 0xFF, 0xFF })).Code);
        Assert.Equal(400, Assert.Throws<MicroException>(() => codec.Decode<HelloRequest>(new byte[] { 1 })).Code);
    }

    [Fact]
    public void Bytes_round_trip()
    {
        var codec = new BytesCodec();
        byte[] data = [0, 1, 2, 255];
        Assert.Equal(data, codec.Decode<byte[]>(codec.Encode(data)));
    }

    [Theory]
    [InlineData("application/json", typeof(JsonCodec))]
    [InlineData("application/json; charset=utf-8", typeof(JsonCodec))]
    [InlineData("application/protobuf", typeof(ProtobufCodec))]
    [InlineData("application/octet-stream", typeof(BytesCodec))]
    public void Codecs_are_chosen_by_content_type(string contentType, System.Type expected)
        => Assert.IsType(expected, CodecRegistry.Default.Get(contentType));

    [Fact]
    public void An_unknown_content_type_is_a_400_listing_the_supported_ones()
    {
        var e = Assert.Throws<MicroException>(() => CodecRegistry.Default.Get("text/xml"));
        Assert.Equal(400, e.Code);
        Assert.Contains("application/json", e.Detail);
    }

    [Fact]
    public void Error_json_has_go_micro_shape_and_parses_back()
    {
        var e = MicroException.NotFound("go.micro.srv.greeter", "not here");
        Assert.Equal("""{"id":"go.micro.srv.greeter","code":404,"detail":"not here","status":"Not Found"}""", e.ToJson());
        var back = MicroException.Parse(e.ToJson());
        Assert.Equal((e.Id, e.Code, e.Detail, e.Status), (back.Id, back.Code, back.Detail, back.Status));
        Assert.Equal(500, MicroException.Parse("plain text").Code);
    }
}
