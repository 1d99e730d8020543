using System.Runtime.CompilerServices;
using Micro.Hosting;
using Micro.Tests.Proto;
using Microsoft.Extensions.DependencyInjection;

namespace Micro.Tests;

/// <summary>Implements the interface generated from the `service Tally` block of Protos/tally.proto.</summary>
public sealed class TallyService : ITally
{
    public Task<TallyReply> Add(TallyRequest request, CancellationToken cancellationToken) => Task.FromResult(new TallyReply { Sum = request.A + request.B });

    public async IAsyncEnumerable<TallyReply> Count(TallyRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var i = request.A; i <= request.B; i++)
        {
            yield return new TallyReply { Sum = i };
        }

        await Task.CompletedTask;
    }
}

public sealed class ProtoContractTests
{
    [Fact]
    public async Task A_proto_service_is_served_and_called_through_generated_code_with_the_proto_codec()
    {
        var builder = MicroService.CreateBuilder(["--registry", "memory", "--server_name", "tally"]);
        builder.Micro.AddTally<TallyService>();
        await using var app = builder.Build();
        await app.StartAsync();

        ITally tally = new TallyClient(app.Client, "tally");
        Assert.Equal(42, (await tally.Add(new TallyRequest { A = 40, B = 2 }, CancellationToken.None)).Sum);
        Assert.Equal([1, 2, 3, 4, 5], await tally.Count(new TallyRequest { A = 1, B = 5 }, CancellationToken.None).Select(r => r.Sum).ToListAsync());

        // The same endpoint answers JSON too (micro call, Go clients): names and fields as the .proto has them.
        var json = await app.Client.CallAsync(new Micro.Client.MicroRequest("tally", "Tally.Add", Json.Bytes("""{"a":1,"b":2}""")));
        Assert.Equal("""{"sum":3}""", Json.Text(json.Body));
        await app.StopAsync();
    }
}
