using Micro;
using Micro.Hosting;
using Micro.Server;

// Two kinds of subscriber in one service: every instance sees every event on the broadcast handler, and the instances
// share the events of the queue-group handler (each event handled by one of them). Run two and publish to see both.
var builder = MicroService.CreateBuilder(args, defaultName: "pubsub.subscriber");
builder.AddSubscriber<Events>();
await builder.Build().RunAsync();

public sealed record Greeting(int N, string Text);

public sealed class Events
{
    public const string Topic = "example.topic.pubsub";

    [Subscribe(Topic)]
    public Task Everyone(Greeting greeting, CancellationToken cancellationToken)
    {
        Console.WriteLine($"broadcast {CallContext.Current?.NodeId} {greeting.N} {greeting.Text}");
        return Task.CompletedTask;
    }

    [Subscribe(Topic, Queue = "workers")]
    public Task OneOfUs(Greeting greeting, CancellationToken cancellationToken)
    {
        Console.WriteLine($"queue {CallContext.Current?.NodeId} {greeting.N} {greeting.Text}");
        return Task.CompletedTask;
    }
}
