namespace Micro.Commands.Verbs;

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
