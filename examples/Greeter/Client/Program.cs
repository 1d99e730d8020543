using Micro;
using Micro.Hosting;
using Microsoft.Extensions.Configuration;

// Calls greeter's Greeter.Hello a few times and prints who answered. Takes the same flags as the service
// (--registry, --registry_address, --selector ...), plus --name and --count.
var configuration = new ConfigurationBuilder().AddEnvironmentVariables("MICRO_").AddCommandLine(args).Build();
var settings = MicroSettings.FromConfiguration(configuration);
var service = configuration["service"] ?? "greeter";
var name = configuration["name"] ?? "John";
var count = int.Parse(configuration["count"] ?? "4", System.Globalization.CultureInfo.InvariantCulture);

await using var micro = MicroEnvironment.Create(settings);
for (var i = 0; i < count; i++)
{
    try
    {
        var reply = await micro.Client.CallAsync(
            new Micro.Client.MicroRequest(service, "Greeter.Hello", System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { name })));
        var answeredBy = reply.Metadata.TryGetValue("X-Node-Id", out var node) ? $" (from {node})" : "";
        Console.WriteLine($"{System.Text.Encoding.UTF8.GetString(reply.Body.Span)}{answeredBy}");
    }
    catch (MicroException e)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 1;
    }
}

return 0;
