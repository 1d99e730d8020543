using System.CommandLine;

namespace Micro.Commands.Verbs;

/// <summary><c>publish</c> and <c>subscribe</c>.</summary>
internal static class BrokerCommands
{
    public static Command Publish(CommandContext context)
    {
        var topic = new Argument<string>("topic") { Description = "The topic, e.g. orders.created." };
        var body = new Argument<string?>("message") { Description = "The message as JSON (default {}).", Arity = ArgumentArity.ZeroOrOne };
        var metadata = new Option<string[]>("--metadata") { Description = "Headers, key=value; repeat for more." };
        var command = new Command("publish", """
            Publish a JSON message to a topic through the configured broker.

            Examples:
              micro publish orders.created '{"id":"o-1"}'
              micro publish orders.created '{"id":"o-1"}' --broker nats --broker_address 127.0.0.1:4222
            """)
        {
            topic, body, metadata,
        };
        command.SetAction((parse, ct) => context.RunAsync(parse, async (commands, output, error) =>
        {
            if (CommandContext.ParsePairs(parse.GetValue(metadata), out var pairs) is { } bad)
            {
                await error.WriteLineAsync(bad).ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            return await commands.PublishAsync(parse.GetRequiredValue(topic), parse.GetValue(body), pairs, output, error, ct).ConfigureAwait(false);
        }));
        return command;
    }

    public static Command Subscribe(CommandContext context)
    {
        var topic = new Argument<string>("topic") { Description = "The topic." };
        var queue = new Option<string?>("--queue") { Description = "Join this queue group (share the messages with its other members)." };
        var command = new Command("subscribe", "Print the messages of a topic as they arrive, until Ctrl+C.\n\nExamples:\n  micro subscribe orders.created\n  micro subscribe orders.created --queue debug")
        {
            topic, queue,
        };
        command.SetAction((parse, ct) => context.RunAsync(parse, (commands, output, error) =>
            commands.SubscribeAsync(parse.GetRequiredValue(topic), parse.GetValue(queue), output, error, ct)));
        return command;
    }
}
