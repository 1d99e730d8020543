using System.Text.Json;
using Greeter.Contracts;
using Micro;
using Micro.Codec;
using Micro.Hosting;
using Microsoft.Extensions.Configuration;

// Calls greeter through the generated typed client and prints who answered. Takes the same flags as the service
// (--registry, --registry_address, --selector ...), plus --name and --count.
var configuration = new ConfigurationBuilder().AddEnvironmentVariables("MICRO_").AddCommandLine(MicroFlags.Normalize(args)).Build(); // switches such as --transport_tls_dev work bare
var settings = MicroSettings.FromConfiguration(configuration);
var name = configuration["name"] ?? "John";
var count = int.Parse(configuration["count"] ?? "4", System.Globalization.CultureInfo.InvariantCulture);

// A client middleware sees every reply's metadata: here, the node that answered.
string? answeredBy = null;
await using var micro = MicroEnvironment.Create(settings, middleware:
[
    next => async (call, cancellationToken) =>
    {
        var reply = await next(call, cancellationToken);
        answeredBy = reply.Metadata.GetValueOrDefault("X-Node-Id");
        return reply;
    },
]);
IGreeter greeter = new GreeterClient(micro.Client);
for (var i = 0; i < count; i++)
{
    try
    {
        var reply = await greeter.Hello(new HelloRequest(name), CancellationToken.None);
        Console.WriteLine($"{JsonSerializer.Serialize(reply, JsonCodec.DefaultOptions)}{(answeredBy is null ? "" : $" (from {answeredBy})")}");
    }
    catch (MicroException e)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 1;
    }
}

return 0;
