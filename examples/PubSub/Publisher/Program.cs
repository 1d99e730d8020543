using Micro.Hosting;
using Microsoft.Extensions.Configuration;

// Publishes --count greetings (default 10) to example.topic.pubsub. Takes the same flags as services
// (--broker, --broker_address, --registry ...).
var configuration = new ConfigurationBuilder().AddEnvironmentVariables("MICRO_").AddCommandLine(MicroFlags.Normalize(args)).Build(); // switches work bare
var count = int.Parse(configuration["count"] ?? "10", System.Globalization.CultureInfo.InvariantCulture);
await using var micro = MicroEnvironment.Create(MicroSettings.FromConfiguration(configuration));
for (var i = 1; i <= count; i++)
{
    await micro.Client.PublishAsync("example.topic.pubsub", new { n = i, text = "hello" });
    Console.WriteLine($"published {i}");
}

await micro.Broker.DisconnectAsync(); // deliver what is still buffered before exiting
return 0;
