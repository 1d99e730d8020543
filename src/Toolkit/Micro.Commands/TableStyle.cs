namespace Micro.Commands;

/// <summary>How a table is written: piped, at a terminal, or at a terminal with colour.</summary>
public enum TableStyle
{
    /// <summary>One line per row, tab-separated cells, no escape codes: for scripts (cut, awk).</summary>
    Plain,

    /// <summary>Aligned columns under an upper-case header, no escape codes: a terminal with NO_COLOR set.</summary>
    Aligned,

    /// <summary>Aligned columns, a bold header and coloured cells: a terminal.</summary>
    Coloured,
}
