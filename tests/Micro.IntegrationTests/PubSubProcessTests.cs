namespace Micro.IntegrationTests;

/// <summary>Events between real processes: the PubSub example's subscribers, its publisher and the CLI, per broker.</summary>
public sealed class PubSubProcessTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "micro-it", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("http")]
    [InlineData("nats")]
    [InlineData("rabbitmq")]
    public async Task Broadcast_reaches_both_subscribers_and_the_queue_group_splits_the_events(string broker)
    {
        await using ExternalServer? server = broker switch
        {
            "nats" => new NatsServer(),
            "rabbitmq" => new RabbitMqServer(),
            _ => null,
        };
        var env = new Dictionary<string, string>
        {
            ["MICRO_REGISTRY_ADDRESS"] = _folder,
            ["MICRO_BROKER"] = broker,
        };
        if (server is not null)
        {
            await server.StartAsync();
            env["MICRO_BROKER_ADDRESS"] = $"127.0.0.1:{server.Port}";
        }

        await using var one = new RunningProcess(Programs.PubSubSubscriber, [], env);
        await using var two = new RunningProcess(Programs.PubSubSubscriber, [], env);
        await one.WaitForOutputAsync("registered in local", Patience);
        await two.WaitForOutputAsync("registered in local", Patience);
        await using var watcher = new RunningProcess(Programs.Cli, ["subscribe", "example.topic.pubsub"], env);
        await watcher.WaitForOutputAsync("subscribed to example.topic.pubsub", Patience);

        var published = await RunningProcess.RunAsync(Programs.PubSubPublisher, ["--count", "20"], env, Patience);
        Assert.True(published.ExitCode == 0, published.Output);
        var cli = await RunningProcess.RunAsync(Programs.Cli, ["publish", "example.topic.pubsub", """{"n":21,"text":"from cli"}"""], env, Patience);
        Assert.True(cli.ExitCode == 0, cli.Output);

        static int[] Numbers(string output, string kind) => output.Split('\n')
            .Where(l => l.StartsWith(kind + " ", StringComparison.Ordinal))
            .Select(l => int.Parse(l.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        var deadline = DateTime.UtcNow + Patience;
        while (Numbers(one.Output, "broadcast").Length < 21 || Numbers(two.Output, "broadcast").Length < 21
               || Numbers(one.Output, "queue").Length + Numbers(two.Output, "queue").Length < 21)
        {
            Assert.True(DateTime.UtcNow < deadline, $"events missing.\nsubscriber 1:\n{one.Output}\nsubscriber 2:\n{two.Output}");
            await Task.Delay(100);
        }

        await Task.Delay(500); // a duplicate would show now
        Assert.Equal(Enumerable.Range(1, 21), Numbers(one.Output, "broadcast").Order());
        Assert.Equal(Enumerable.Range(1, 21), Numbers(two.Output, "broadcast").Order());
        Assert.Equal(Enumerable.Range(1, 21), Numbers(one.Output, "queue").Concat(Numbers(two.Output, "queue")).Order());
        Assert.Contains("\"text\":\"from cli\"", watcher.Output); // micro subscribe printed it
    }
}
