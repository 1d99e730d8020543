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
