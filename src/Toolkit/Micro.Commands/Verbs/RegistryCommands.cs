using System.CommandLine;

namespace Micro.Commands.Verbs;

/// <summary><c>register service</c> and <c>deregister service</c>.</summary>
internal static class RegistryCommands
{
    private const string Example = """{"name":"legacy","nodes":[{"id":"legacy-1","address":"127.0.0.1:9000"}]}""";

    public static Command Register(CommandContext context)
    {
        var json = new Argument<string>("json") { Description = "The service as go-micro's JSON: name, version, endpoints, nodes (each with id and address)." };
        var service = new Command("service", $"Register a service (for the registry's TTL).\n\nExamples:\n  micro register service '{Example}'") { json };
        service.SetAction((parse, ct) => context.RunAsync(parse, (commands, output, error) => commands.RegisterAsync(parse.GetRequiredValue(json), output, error, ct)));
        return new Command("register", $"Register an item.\n\nExamples:\n  micro register service '{Example}'") { service };
    }

    public static Command Deregister(CommandContext context)
    {
        var json = new Argument<string>("json") { Description = "The service JSON naming the nodes to remove." };
        var service = new Command("service", $"Deregister the nodes given in a service JSON.\n\nExamples:\n  micro deregister service '{Example}'") { json };
        service.SetAction((parse, ct) => context.RunAsync(parse, (commands, output, error) => commands.DeregisterAsync(parse.GetRequiredValue(json), output, error, ct)));
        return new Command("deregister", $"Deregister an item.\n\nExamples:\n  micro deregister service '{Example}'") { service };
    }
}
