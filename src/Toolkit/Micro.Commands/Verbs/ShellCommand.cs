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

/// <summary>The shell's history: the last 500 lines, kept in the user's data folder between sessions.</summary>
internal sealed class ShellHistory
{
    private const int Keep = 500;
    private readonly string _path = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "micro", "history");

    public ShellHistory()
    {
        try
        {
            if (File.Exists(_path))
            {
                Lines.AddRange(File.ReadLines(_path).TakeLast(Keep));
            }
        }
        catch (IOException)
        {
            // no history is fine
        }
    }

    public List<string> Lines { get; } = [];

    public void Add(string line)
    {
        if (Lines.Count > 0 && Lines[^1] == line)
        {
            return;
        }

        Lines.Add(line);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            File.AppendAllLines(_path, [line]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a read-only home keeps history for this session only
        }
    }
}

/// <summary>A small line editor for the terminal: typing, Backspace, Left/Right, Up/Down through history, Tab completion, Ctrl+D.</summary>
internal sealed class LineEditor(List<string> history, Func<string, string[]> complete)
{
    public string? ReadLine(string prompt)
    {
        Console.Write(prompt);
        var buffer = new List<char>();
        var cursor = 0;
        var back = 0;
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    Console.WriteLine();
                    return new string([.. buffer]);
                case ConsoleKey.D when key.Modifiers.HasFlag(ConsoleModifiers.Control) && buffer.Count == 0:
                    Console.WriteLine();
                    return null;
                case ConsoleKey.Backspace when cursor > 0:
                    buffer.RemoveAt(--cursor);
                    break;
                case ConsoleKey.LeftArrow when cursor > 0:
                    cursor--;
                    break;
                case ConsoleKey.RightArrow when cursor < buffer.Count:
                    cursor++;
                    break;
                case ConsoleKey.UpArrow when back < history.Count:
                    buffer = [.. history[history.Count - ++back]];
                    cursor = buffer.Count;
                    break;
                case ConsoleKey.DownArrow when back > 0:
                    buffer = --back == 0 ? [] : [.. history[history.Count - back]];
                    cursor = buffer.Count;
                    break;
                case ConsoleKey.Tab:
                    (buffer, cursor) = Complete(buffer, prompt);
                    break;
                default:
                    if (!char.IsControl(key.KeyChar))
                    {
                        buffer.Insert(cursor++, key.KeyChar);
                    }

                    break;
            }

            Redraw(prompt, buffer, cursor);
        }
    }

    /// <summary>One candidate: completed in place; several: listed, and their common start filled in.</summary>
    private (List<char>, int) Complete(List<char> buffer, string prompt)
    {
        var line = new string([.. buffer]);
        var word = line.Length == 0 || char.IsWhiteSpace(line[^1]) ? "" : line.Split(' ')[^1];
        var candidates = complete(line).Where(c => c.StartsWith(word, StringComparison.OrdinalIgnoreCase)).Distinct().ToArray();
        if (candidates.Length == 0)
        {
            return (buffer, buffer.Count);
        }

        var common = candidates.Aggregate((a, b) => new string(a.Zip(b).TakeWhile(p => char.ToLowerInvariant(p.First) == char.ToLowerInvariant(p.Second)).Select(p => p.First).ToArray()));
        if (candidates.Length > 1 && common.Length <= word.Length)
        {
            Console.WriteLine();
            Console.WriteLine(string.Join("  ", candidates));
            Console.Write(prompt);
        }

        var completed = line[..(line.Length - word.Length)] + (candidates.Length == 1 ? candidates[0] + " " : common);
        return ([.. completed], completed.Length);
    }

    private static void Redraw(string prompt, List<char> buffer, int cursor)
    {
        var text = new string([.. buffer]);
        Console.Write("\r" + prompt + text + "\u001b[K");
        Console.Write("\r\u001b[" + (prompt.Length + cursor) + "C");
        if (prompt.Length + cursor == 0)
        {
            Console.Write("\r");
        }
    }
}
