using Micro.Client;
using Micro.Codec;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Micro.Tests;

/// <summary>A codec of one's own joins through the builder; the shared default registry is never changed.</summary>
public sealed class CodecRegistrationTests
{
    [Fact]
    public async Task A_codec_added_through_the_builder_is_spoken_by_client_and_server_and_the_default_is_untouched()
    {
        var builder = Host.CreateApplicationBuilder(["--registry", "memory", "--transport", "memory", "--broker", "memory", "--server_name", "coded"]);
        builder.Services.AddMicro(micro => micro.AddHandler<Greeter>().AddCodec(new TaggedJsonCodec()));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var codecs = host.Services.GetRequiredService<CodecRegistry>();
            Assert.True(codecs.TryGet(TaggedJsonCodec.MediaType, out _));
            Assert.True(codecs.TryGet(JsonCodec.MediaType, out _)); // the defaults stay
            Assert.False(CodecRegistry.Default.TryGet(TaggedJsonCodec.MediaType, out _));

            var client = host.Services.GetRequiredService<IMicroClient>();
            var reply = await client.CallAsync(new MicroRequest("coded", "Greeter.Hello", Json.Bytes("""{"name":"tagged"}"""), TaggedJsonCodec.MediaType));
            Assert.Equal(TaggedJsonCodec.MediaType, reply.ContentType);
            Assert.Equal("""{"msg":"Hello tagged"}""", Json.Text(reply.Body));
            Assert.True(TaggedJsonCodec.Decoded > 0);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Json_types_added_through_the_builder_describe_that_apps_types_only_and_calls_use_them()
    {
        var builder = Host.CreateApplicationBuilder(["--registry", "memory", "--transport", "memory", "--broker", "memory", "--server_name", "typed"]);
        builder.Services.AddMicro(micro => micro.AddHandler<Greeter>().AddJsonTypes(GreeterJson.Default));
        using var host = builder.Build();
        var otherBuilder = Host.CreateApplicationBuilder(["--registry", "memory", "--transport", "memory", "--broker", "memory"]);
        otherBuilder.Services.AddMicro();
        using var other = otherBuilder.Build();
        await host.StartAsync();
        try
        {
            JsonCodec JsonOf(IHost h) => (JsonCodec)h.Services.GetRequiredService<CodecRegistry>().Get(JsonCodec.MediaType);
            var typed = JsonOf(host).Options.GetTypeInfo(typeof(HelloRequest));
            Assert.Same(GreeterJson.Default, typed.OriginatingResolver);
            // Nothing process-wide: another app, and the shared default, describe the type their own way (reflection).
            Assert.NotSame(GreeterJson.Default, JsonOf(other).Options.GetTypeInfo(typeof(HelloRequest)).OriginatingResolver);
            Assert.NotSame(GreeterJson.Default, JsonCodec.DefaultOptions.GetTypeInfo(typeof(HelloRequest)).OriginatingResolver);

            var client = host.Services.GetRequiredService<IMicroClient>();
            var reply = await client.CallAsync<HelloRequest, HelloResponse>("typed", "Greeter.Hello", new HelloRequest("context"));
            Assert.Equal("Hello context", reply.Msg);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>JSON under its own content type, counting what it decodes (so the test sees it was the one used).</summary>
    private sealed class TaggedJsonCodec : ICodec
    {
        public const string MediaType = "application/x-tagged+json";
        private static int _decoded;
        private readonly JsonCodec _json = new();

        public static int Decoded => Volatile.Read(ref _decoded);

        public string ContentType => MediaType;

        public ReadOnlyMemory<byte> Encode<T>(T value) => _json.Encode(value);

        public T Decode<T>(ReadOnlyMemory<byte> data)
        {
            Interlocked.Increment(ref _decoded);
            return _json.Decode<T>(data);
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(HelloRequest))]
[System.Text.Json.Serialization.JsonSerializable(typeof(HelloResponse))]
internal sealed partial class GreeterJson : System.Text.Json.Serialization.JsonSerializerContext;
