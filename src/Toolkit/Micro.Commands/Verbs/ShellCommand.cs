using System.CommandLine;

namespace Micro.Commands.Verbs;

/// <summary>
/// <c>micro cli</c>: an interactive shell over one connection. At a terminal it has a prompt, history (kept in
/// <c>~/.local/share/micro/history</c>) and Tab completion of commands, services and endpoints; fed by a pipe it runs
/// each line as a command, so scripts can drive it too.
/// </summary>
internal static class ShellCommand
{
    public static Command Create(CommandContext context, Func<MicroCommands, RootCommand> connectedTree)
    {
        var command = new Command("cli", "An interactive shell: the same commands without the micro prefix, over one connection; Tab completes, Up recalls, exit leaves.\n\nExamples:\n  micro cli\n  printf 'list services\\nhealth greeter\\n' | micro cli");
        command.SetAction((parse, ct) => context.RunAsync(parse, async (commands, output, error) =>
        {
            var tree = connectedTree(commands);
            var interactive = ReferenceEquals(context.Input, Console.In) && !Console.IsInputRedirected && !Console.IsOutputRedirected;
            var history = new ShellHistory();
            LineEditor? editor = interactive ? new LineEditor(history.Lines, line => tree.Parse(line).GetCompletions().Select(c => c.Label).ToArray()) : null;
            if (interactive)
            {
                await output.WriteLineAsync("micro shell: commands as in the CLI without 'micro' (help lists them). Tab completes, Up recalls, exit or Ctrl+D leaves.").ConfigureAwait(false);
            }

            var last = ExitCodes.Ok;
            while (!ct.IsCancellationRequested)
            {
                var line = editor is not null ? editor.ReadLine("micro> ") : await context.Input.ReadLineAsync(ct).ConfigureAwait(false);
                if (line is null)
                {
                    break;
                }

                line = line.Trim();
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }

                if (line is "exit" or "quit")
                {
                    break;
                }

                history.Add(line);
                var args = CommandLineText.Split(line.StartsWith("micro ", StringComparison.Ordinal) ? line[6..] : line).ToArray();
                if (args[0] == "cli")
                {
                    await error.WriteLineAsync("already in the shell").ConfigureAwait(false);
                    continue;
                }

                if (args[0] == "help")
                {
                    args = ["--help"];
                }
                else if (!args[0].StartsWith('-') && !tree.Subcommands.Any(c => c.Name == args[0]))
                {
                    // One line for a mistyped command, not the whole help on every typo.
                    var near = tree.Subcommands.Select(c => c.Name).Where(n => CommandLineText.EditDistance(n, args[0]) <= Math.Max(1, (n.Length + 1) / 3)).ToList();
                    await error.WriteLineAsync($"'{args[0]}' is not a command{(near.Count > 0 ? $"; did you mean {string.Join(" or ", near)}?" : "")} (help lists them)").ConfigureAwait(false);
                    last = ExitCodes.Usage;
                    continue;
                }

                last = await MicroCommandLine.InvokeAsync(tree, args, output, error, ct).ConfigureAwait(false);
            }

            return last;
        }));
        return command;
    }
}
