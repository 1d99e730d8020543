using System.Text;

namespace Micro.Commands;

/// <summary>
/// Splits a typed command line (the dashboard's terminal, chat messages) into arguments: whitespace separates, 'single'
/// and "double" quotes group, and a JSON object or array stays one argument with its quotes intact, so
/// <c>call greeter Greeter.Hello {"name": "John"}</c> works as typed.
/// </summary>
public static class CommandLineText
{
    public static IReadOnlyList<string> Split(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var args = new List<string>();
        var i = 0;
        while (i < line.Length)
        {
            if (char.IsWhiteSpace(line[i]))
            {
                i++;
                continue;
            }

            if (line[i] is '{' or '[')
            {
                args.Add(Json(line, ref i));
                continue;
            }

            var token = new StringBuilder();
            while (i < line.Length && !char.IsWhiteSpace(line[i]))
            {
                if (line[i] is '\'' or '"')
                {
                    var quote = line[i++];
                    while (i < line.Length && line[i] != quote)
                    {
                        if (quote == '"' && line[i] == '\\' && i + 1 < line.Length)
                        {
                            i++;
                        }

                        token.Append(line[i++]);
                    }

                    i++; // the closing quote (or the end of an unclosed one)
                }
                else
                {
                    token.Append(line[i++]);
                }
            }

            args.Add(token.ToString());
        }

        return args;
    }

    /// <summary>From an opening brace to the one that balances it, skipping braces inside JSON strings.</summary>
    private static string Json(string line, ref int i)
    {
        var start = i;
        var depth = 0;
        var inString = false;
        for (; i < line.Length; i++)
        {
            var c = line[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            if (c == '"')
            {
                inString = true;
            }
            else if (c is '{' or '[')
            {
                depth++;
            }
            else if (c is '}' or ']' && --depth == 0)
            {
                i++;
                return line[start..i];
            }
        }

        return line[start..]; // unbalanced: pass it on and let the JSON check say what is wrong
    }

    /// <summary>How many single-character edits turn one word into the other (Levenshtein), for "did you mean".</summary>
    public static int EditDistance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
