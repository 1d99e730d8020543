using System.Text.RegularExpressions;

namespace Micro.IntegrationTests;

/// <summary>A fenced block of a Markdown file: its language, the words after it, where its first line is, its text.</summary>
internal sealed record MarkdownBlock(string File, int FirstLine, string Language, string Info, string Text)
{
    public bool IsFragment => Info.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("fragment");

    /// <summary>The fenced blocks of <paramref name="path"/>, named by <paramref name="name"/> (for messages: README.md:25).</summary>
    public static IReadOnlyList<MarkdownBlock> Read(string path, string name)
    {
        var blocks = new List<MarkdownBlock>();
        var lines = System.IO.File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var open = Regex.Match(lines[i], @"^```(\w+)\s*(.*)$");
            if (!open.Success)
            {
                continue;
            }

            var end = Array.FindIndex(lines, i + 1, l => l.TrimEnd() == "```");
            if (end < 0)
            {
                throw new InvalidOperationException($"{name}:{i + 1}: a ``` block is never closed");
            }

            blocks.Add(new MarkdownBlock(name, i + 2, open.Groups[1].Value, open.Groups[2].Value.Trim(), string.Join('\n', lines[(i + 1)..end])));
            i = end;
        }

        return blocks;
    }

    /// <summary>README.md and docs/*.md of the repository.</summary>
    public static IReadOnlyList<MarkdownBlock> OfTheDocs()
        => [.. MarkdownBlock.Read(Path.Combine(Programs.Root, "README.md"), "README.md"),
            .. Directory.GetFiles(Path.Combine(Programs.Root, "docs"), "*.md").Order(StringComparer.Ordinal)
                .SelectMany(f => MarkdownBlock.Read(f, "docs/" + Path.GetFileName(f)))];
}
