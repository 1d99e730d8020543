using System.CommandLine;
using Micro.Client;

namespace Micro.Commands.Verbs;

/// <summary><c>call</c> and <c>stream</c>: talking to endpoints.</summary>
internal static class CallCommands
{
    public static Command Call(CommandContext context)
    {
        var serviceArgument = QueryCommands.ServiceArgument("The service name, e.g. greeter.", context);
        var endpoint = EndpointArgument("The endpoint, e.g. Greeter.Hello.", context, serviceArgument);
        var body = new Argument<string?>("request") { Description = "The request as JSON; omitted, it is read from standard input when that is piped, else {}.", Arity = ArgumentArity.ZeroOrOne };
        var address = new Option<string?>("--address") { Description = "Call this node (host:port) instead of letting the selector choose." };
        var metadata = new Option<string[]>("--metadata") { Description = "Metadata sent with the call, key=value; repeat for more." };
        var format = new Option<string>("--output") { Description = "json (indented, default) or raw (as the service sent it).", DefaultValueFactory = _ => "json" };
        format.AcceptOnlyFromAmong("json", "raw");
        var command = new Command("call", """
            Call a service endpoint with a JSON request and print the JSON reply. Exits 1 with the service's error, 2 on bad input.

            Examples:
              micro call greeter Greeter.Hello '{"name":"John"}'
              echo '{"name":"John"}' | micro call greeter Greeter.Hello
              micro call greeter Greeter.Hello '{"name":"John"}' --metadata X-User=alice --output raw
              micro call greeter Greeter.Hello --address 127.0.0.1:40123
            """)
        {
            serviceArgument, endpoint, body, address, metadata, format,
        };
        command.SetAction((parse, ct) => context.RunAsync(parse, async (commands, output, error) =>
        {
            if (CommandContext.ParsePairs(parse.GetValue(metadata), out var pairs) is { } bad)
            {
                await error.WriteLineAsync(bad).ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var json = parse.GetValue(body);
            if (json is null && IsPiped(context.Input))
            {
                json = await context.Input.ReadToEndAsync(ct).ConfigureAwait(false);
            }

            var service = parse.GetRequiredValue(serviceArgument);
            if (await context.CheckCallerAsync(commands, service, parse.GetValue(address), pairs, error, ct).ConfigureAwait(false) is not { } allowed)
            {
                return ExitCodes.Usage;
            }

            var options = new CallOptions { Address = parse.GetValue(address), Metadata = allowed };
            return await commands.CallAsync(service, parse.GetRequiredValue(endpoint), json, options,
                parse.GetValue(format) == "raw", output, error, ct).ConfigureAwait(false);
        }));
        return command;
    }

    public static Command Stream(CommandContext context)
    {
        var service = QueryCommands.ServiceArgument("The service name, e.g. streamer.", context);
        var endpoint = EndpointArgument("The stream endpoint, e.g. Streamer.Count.", context, service);
        var body = new Argument<string?>("request") { Description = "One request as JSON; omit to send standard input, one JSON message per line.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("stream", """
            Stream with a stream endpoint: prints each reply as it arrives. Without a request, sends each line of standard input.

            Examples:
              micro stream streamer Streamer.Count '{"to":5}'
              printf '{"text":"a"}\n{"text":"b"}\n' | micro stream streamer Streamer.Echo
            """)
        {
            service, endpoint, body,
        };
        command.SetAction((parse, ct) => context.RunAsync(parse, (commands, output, error) =>
            commands.StreamAsync(parse.GetRequiredValue(service), parse.GetRequiredValue(endpoint), parse.GetValue(body), context.Input, output, error,
                new CallOptions { Metadata = context.CallerMetadata(null) }, ct)));
        return command;
    }

    private static Argument<string> EndpointArgument(string description, CommandContext context, Argument<string> service)
    {
        var argument = new Argument<string>("endpoint") { Description = description };
        argument.CompletionSources.Add(completion => Completions.Endpoints(completion, context, service));
        return argument;
    }

    /// <summary>Standard input carries data (a pipe or a file), not a person at a terminal.</summary>
    private static bool IsPiped(TextReader input) => !ReferenceEquals(input, Console.In) || Console.IsInputRedirected;
}
