using System.Collections.Generic;
using System.Text;

namespace Micro.Generators.Proto;

/// <summary>
/// Splits a .proto file into tokens the way protoc does: identifiers, numbers, quoted strings (so a brace in a string
/// is not a brace), symbols; <c>//</c> and <c>/* */</c> comments are dropped (so a brace in a comment is not one either).
/// </summary>
internal static class ProtoTokenizer
{
    public static List<ProtoToken> Tokenize(string text)
    {
        var tokens = new List<ProtoToken>();
        var i = 0;
        var line = 0;
        var lineStart = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                i++;
                line++;
                lineStart = i;
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            var column = i - lineStart;
            if (c == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }

                continue;
            }

            if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                var close = text.IndexOf("*/", i + 2, System.StringComparison.Ordinal);
                if (close < 0)
                {
                    throw new ProtoSyntaxException("a /* comment is never closed", new ProtoSpan(start, 2, line, column));
                }

                for (; i < close + 2; i++)
                {
                    if (text[i] == '\n')
                    {
                        line++;
                        lineStart = i + 1;
                    }
                }

                continue;
            }

            if (IsLetter(c))
            {
                while (i < text.Length && (IsLetter(text[i]) || char.IsDigit(text[i])))
                {
                    i++;
                }

                tokens.Add(new ProtoToken(ProtoTokenKind.Identifier, text.Substring(start, i - start), start, i - start, line, column));
                continue;
            }

            if (char.IsDigit(c))
            {
                // Decimal, hex, octal and float literals: letters, digits, dots, and a sign after an exponent.
                while (i < text.Length && (IsLetter(text[i]) || char.IsDigit(text[i]) || text[i] == '.'
                                           || ((text[i] == '+' || text[i] == '-') && (text[i - 1] == 'e' || text[i - 1] == 'E'))))
                {
                    i++;
                }

                tokens.Add(new ProtoToken(ProtoTokenKind.Number, text.Substring(start, i - start), start, i - start, line, column));
                continue;
            }

            if (c == '"' || c == '\'')
            {
                var value = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= text.Length || text[i] == '\n')
                    {
                        throw new ProtoSyntaxException("a string is never closed on its line", new ProtoSpan(start, 1, line, column));
                    }

                    if (text[i] == c)
                    {
                        i++;
                        break;
                    }

                    if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] != '\n')
                    {
                        value.Append(text[i]);
                        i++;
                    }

                    value.Append(text[i]);
                    i++;
                }

                tokens.Add(new ProtoToken(ProtoTokenKind.String, value.ToString(), start, i - start, line, column));
                continue;
            }

            tokens.Add(new ProtoToken(ProtoTokenKind.Symbol, c.ToString(), start, 1, line, column));
            i++;
        }

        tokens.Add(new ProtoToken(ProtoTokenKind.End, "", text.Length, 0, line, text.Length - lineStart));
        return tokens;
    }

    private static bool IsLetter(char c) => c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
