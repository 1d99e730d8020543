using System.CommandLine;

namespace Micro.Commands.Verbs;

/// <summary><c>list services</c>, <c>get service</c>, <c>health</c> and <c>stats</c>: reading the environment.</summary>
internal static class QueryCommands
{
    public static Command List(CommandContext context)
    {
        var services = new Command("services", "List the services in the registry, one name per line.\n\nExamples:\n  micro list services\n  micro list services --registry etcd --registry_address 127.0.0.1:2379");
        services.SetAction((parse, ct) => context.RunAsync(parse, (commands, output, _) => commands.ListServicesAsync(output, ct)));
        return new Command("list", "List items in the environment.\n\nExamples:\n  micro list services") { services };
    }

    public static Command Get(CommandContext context)
    {
        var name = ServiceArgument("The service name, e.g. greeter.", context);
        var service = new Command("service", "Show a service's versions, nodes and endpoints with their request and response fields.\n\nExamples:\n  micro get service greeter\n  micro get service greeter --registry etcd --registry_address 127.0.0.1:2379") { name };
        service.SetAction((parse, ct) => context.RunAsync(parse, (commands, output, error) => commands.GetServiceAsync(parse.GetRequiredValue(name), output, error, ct)));
        return new Command("get", "Get an item's details.\n\nExamples:\n  micro get service greeter") { service };
    }

    public static Command Health(CommandContext context)
    {
        var name = ServiceArgument("The service name.", context);
        var command = new Command("health", "Call Debug.Health on every node of a service; exits 1 when any node is not ok.\n\nExamples:\n  micro health greeter\n  micro health greeter || echo 'a node is not ok'") { name };
        command.SetAction((parse, ct) => context.RunAsync(parse, (commands, output, error) => commands.HealthAsync(parse.GetRequiredValue(name), output, error, ct)));
        return command;
    }

    public static Command Stats(CommandContext context)
    {
        var name = ServiceArgument("The service name.", context);
        var command = new Command("stats", "Call Debug.Stats on every node of a service: started, uptime, memory, threads, GC, as a table.\n\nExamples:\n  micro stats greeter\n  micro stats greeter | cut -f1,6   # node and memory, piped as tab-separated columns") { name };
        command.SetAction((parse, ct) => context.RunAsync(parse, (commands, output, error) => commands.StatsAsync(parse.GetRequiredValue(name), output, error, ct)));
        return command;
    }

    /// <summary>A service-name argument whose tab completion lists the registered services.</summary>
    public static Argument<string> ServiceArgument(string description, CommandContext context)
    {
        var argument = new Argument<string>("service") { Description = description };
        argument.CompletionSources.Add(completion => Completions.Services(completion, context));
        return argument;
    }
}
