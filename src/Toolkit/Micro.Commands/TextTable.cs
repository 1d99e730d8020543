using System.Text;

namespace Micro.Commands;

/// <summary>
/// Rows as text: on a terminal, aligned columns with a bold header (and cells coloured by the caller); piped, one line
/// per row with tab-separated cells and no escape codes, so scripts can cut and awk it. NO_COLOR drops the escape
/// codes, not the layout.
/// </summary>
public static class TextTable
{
    public const string Green = "\u001b[32m";
    public const string Red = "\u001b[31m";
    private const string Bold = "\u001b[1m";
    private const string Reset = "\u001b[0m";

    /// <param name="output">Where to write.</param>
    /// <param name="style">Plain, aligned, or aligned and coloured.</param>
    /// <param name="headers">Column names.</param>
    /// <param name="rows">Cells; a cell may carry a colour as (text, colour).</param>
    public static async Task WriteAsync(TextWriter output, TableStyle style, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<(string Text, string? Colour)>> rows)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(headers);
        var all = rows.ToList();
        if (style == TableStyle.Plain)
        {
            await output.WriteLineAsync(string.Join('\t', headers)).ConfigureAwait(false);
            foreach (var row in all)
            {
                await output.WriteLineAsync(string.Join('\t', row.Select(c => c.Text))).ConfigureAwait(false);
            }

            return;
        }

        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => i < r.Count ? r[i].Text.Length : 0))).ToArray();
        var coloured = style == TableStyle.Coloured;
        var sb = new StringBuilder();
        for (var i = 0; i < headers.Count; i++)
        {
            sb.Append(headers[i].ToUpperInvariant().PadRight(widths[i] + 2));
        }

        var header = sb.ToString().TrimEnd();
        await output.WriteLineAsync(coloured ? Bold + header + Reset : header).ConfigureAwait(false);
        foreach (var row in all)
        {
            sb.Clear();
            for (var i = 0; i < row.Count; i++)
            {
                var (text, colour) = row[i];
                var padded = i == row.Count - 1 ? text : text.PadRight(widths[i] + 2);
                sb.Append(colour is null || !coloured ? padded : colour + padded + Reset);
            }

            await output.WriteLineAsync(sb.ToString()).ConfigureAwait(false);
        }
    }

    /// <summary>A cell without colour.</summary>
    public static (string, string?) Cell(string text) => (text, null);
}
