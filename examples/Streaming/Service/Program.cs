using System.Runtime.CompilerServices;
using Micro.Hosting;

// Service "streamer": Streamer.Count streams {"n":1}..{"n":to}; Streamer.Echo sends back every message it receives.
//   ./micro stream streamer Streamer.Count '{"to":5}'
//   printf '{"text":"a"}\n{"text":"b"}\n' | ./micro stream streamer Streamer.Echo
var builder = MicroService.CreateBuilder(args, defaultName: "streamer");
builder.AddHandler<Streamer>();
await builder.Build().RunAsync();

public sealed record CountRequest(int To);

public sealed record CountReply(int N);

public sealed record EchoMessage(string Text);

public sealed class Streamer
{
    /// <summary>Server streaming: one request, <c>to</c> replies.</summary>
    public async IAsyncEnumerable<CountReply> Count(CountRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var n = 1; n <= request.To; n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new CountReply(n);
        }

        await Task.CompletedTask;
    }

    /// <summary>Bidirectional: every message back as it arrives.</summary>
    public async IAsyncEnumerable<EchoMessage> Echo(IAsyncEnumerable<EchoMessage> messages, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var message in messages.WithCancellation(cancellationToken))
        {
            yield return message;
        }
    }
}
