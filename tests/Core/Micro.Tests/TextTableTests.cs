using Micro.Commands;

namespace Micro.Tests;

/// <summary>Tables for scripts, for a terminal, and for a terminal with NO_COLOR: the same layout, without the escape codes.</summary>
public sealed class TextTableTests
{
    private static readonly IReadOnlyList<(string, string?)>[] Rows =
    [
        [TextTable.Cell("greeter-1"), TextTable.Cell("latest"), ("ok", TextTable.Green)],
        [TextTable.Cell("greeter-22"), TextTable.Cell("1.0"), ("down", TextTable.Red)],
    ];

    private static async Task<string> WriteAsync(TableStyle style)
    {
        var output = new StringWriter { NewLine = "\n" };
        await TextTable.WriteAsync(output, style, ["node", "version", "status"], Rows);
        return output.ToString();
    }

    [Fact]
    public async Task No_color_keeps_the_terminal_layout_and_drops_only_the_escape_codes()
    {
        var coloured = await WriteAsync(TableStyle.Coloured);
        var aligned = await WriteAsync(TableStyle.Aligned);
        Assert.Contains("\u001b[", coloured, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b", aligned, StringComparison.Ordinal);
        Assert.Equal(System.Text.RegularExpressions.Regex.Replace(coloured, "\u001b\\[[0-9;]*m", ""), aligned);
        Assert.Equal("NODE        VERSION  STATUS\ngreeter-1   latest   ok\ngreeter-22  1.0      down\n", aligned);
    }

    [Fact]
    public async Task Piped_tables_are_tab_separated_with_a_header()
        => Assert.Equal("node\tversion\tstatus\ngreeter-1\tlatest\tok\ngreeter-22\t1.0\tdown\n", await WriteAsync(TableStyle.Plain));
}
