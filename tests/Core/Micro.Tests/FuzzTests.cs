using System.Buffers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Micro.Codec;
using Micro.Tests.Proto;
using Micro.Transport.Tcp;

namespace Micro.Tests;

/// <summary>
/// Malformed input for everything that reads bytes from the network: the tcp frame decoder and the codecs and RPC
/// envelopes. 0 crashes (only the documented clean errors), 0 hangs (a time limit per run), memory bounded.
/// MICRO_FUZZ_SCALE=N multiplies the inputs for a longer run.
/// </summary>
public sealed class FuzzTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    private static byte[] Frame(FrameType type, uint id, Dictionary<string, string>? headers, byte[] body)
    {
        var writer = new ArrayBufferWriter<byte>();
        var size = (int)FrameCodec.MeasureFrame(headers, body.Length);
        FrameCodec.Write(writer, type, id, headers, body, size);
        return writer.WrittenSpan.ToArray();
    }

    private static readonly byte[][] FrameSeeds =
    [
        Frame(FrameType.Request, 1, new Dictionary<string, string> { ["Content-Type"] = "application/json", ["Micro-Endpoint"] = "Greeter.Hello", ["Timeout"] = "5000000000" }, """{"name":"x"}"""u8.ToArray()),
        Frame(FrameType.Response, 7, new Dictionary<string, string> { ["Micro-Error"] = """{"id":"x","code":500,"detail":"d","status":"s"}""" }, []),
        Frame(FrameType.StreamData, 3, null, new byte[100]),
        Frame(FrameType.StreamCredit, 3, new Dictionary<string, string> { ["Micro-Credit"] = "128" }, []),
        Frame(FrameType.Cancel, 9, null, []),
    ];

    /// <summary>Decodes everything it can from the input, split into random segments as a socket would deliver it.</summary>
    private static void DecodeAll(byte[] input, Random random)
    {
        // Whole, or cut into random-sized segments as a socket would deliver it.
        var sequence = input.Length < 2 || random.Next(2) == 0 ? new ReadOnlySequence<byte>(input) : Sequences.Chunked(input, random.Next(1, input.Length));
        var steps = 0;
        while (true)
        {
            var before = sequence.Length;
            // The default header limits, so header-heavy inputs take the Refused path (consumed, connection kept).
            var status = FrameCodec.TryDecode(ref sequence, new FrameLimits(1024 * 1024, Micro.Transport.TransportOptions.Default.MaxHeaderCount, 4096), out _, out var error);
            if (status is DecodeStatus.Malformed or DecodeStatus.Oversized or DecodeStatus.Refused && string.IsNullOrEmpty(error))
            {
                throw new InvalidOperationException($"{status} without a reason");
            }

            if (status is not (DecodeStatus.Complete or DecodeStatus.Refused))
            {
                return;
            }

            if (sequence.Length >= before || ++steps > input.Length)
            {
                throw new InvalidOperationException("a complete frame consumed nothing: the reader would spin");
            }
        }
    }

    [Fact]
    public async Task The_frame_decoder_survives_400_000_malformed_frames()
    {
        var random = new Random(11);
        var (inputs, _) = await Fuzz.RunAsync(1, FrameSeeds, 400_000, input => DecodeAll(input, random), _ => false, Limit);
        Assert.Equal(400_000L * Fuzz.Scale, inputs);
    }

    private static readonly byte[][] JsonSeeds =
    [
        """{"name":"John"}"""u8.ToArray(),
        """{"name":"J\u00f6hn","extra":[1,2,{"a":null}],"n":1e308}"""u8.ToArray(),
        """[{"name":"x"}]"""u8.ToArray(),
        """{"id":"go.micro.client","code":408,"detail":"timed out","status":"Request Timeout"}"""u8.ToArray(),
        "null"u8.ToArray(),
    ];

    [Fact]
    public async Task The_json_codec_and_error_parser_survive_300_000_malformed_bodies()
    {
        var codec = CodecRegistry.Default.Get(JsonCodec.MediaType);
        var (inputs, rejected) = await Fuzz.RunAsync(2, JsonSeeds, 300_000, input =>
        {
            _ = codec.Decode<HelloRequest>(input);
            _ = codec.Decode<JsonElement>(input);
            _ = MicroException.Parse(Encoding.UTF8.GetString(input)); // never throws: garbage becomes a 500 with the text
        }, e => e is MicroException { Code: 400 }, Limit);
        Assert.True(rejected > 0 && rejected < inputs, $"{rejected} of {inputs} rejected: the inputs were not a mix of valid and invalid");
    }

    [Fact]
    public async Task The_rpc_envelopes_survive_200_000_malformed_messages()
    {
        var seeds = new[]
        {
            """{"method":"Greeter.Hello","params":[{"name":"x"}],"id":1}"""u8.ToArray(),
            """{"id":1,"result":{"msg":"hi"},"error":null}"""u8.ToArray(),
            """{"id":"a","result":null,"error":"boom"}"""u8.ToArray(),
            RpcEnvelope.ProtoRpc.WrapRequest("Tally.Add", 5, new TallyRequest { A = 1, B = 2 }.ToByteArray()).ToArray(),
        };
        await Fuzz.RunAsync(3, seeds, 200_000, input =>
        {
            foreach (var envelope in new[] { RpcEnvelope.JsonRpc, RpcEnvelope.ProtoRpc })
            {
                try
                {
                    _ = envelope.UnwrapRequest(input);
                }
                catch (MicroException e) when (e.Code == 400)
                {
                }

                try
                {
                    _ = envelope.UnwrapResponse(input);
                }
                catch (MicroException e) when (e.Id == "go.micro.codec")
                {
                    // A reply the peer garbled: an error for the caller (500), not a crash.
                }
            }
        }, _ => false, Limit);
    }

    [Fact]
    public async Task The_protobuf_codec_survives_100_000_malformed_messages()
    {
        var codec = CodecRegistry.Default.Get(ProtobufCodec.MediaType);
        var seeds = new[] { new TallyRequest { A = 1, B = -2 }.ToByteArray(), new TallyReply { Sum = int.MaxValue }.ToByteArray(), new byte[] { 8, 1 } };
        await Fuzz.RunAsync(4, seeds, 100_000, input => _ = codec.Decode<TallyRequest>(input), e => e is MicroException { Code: 400 }, Limit);
    }
}
