namespace Micro.Generators.Proto;

/// <summary>One token of a .proto file, with where it starts (0-based line and column, as Roslyn's locations count).</summary>
/// <param name="Text">The token as written; for a string, its value without quotes (escapes kept as written).</param>
internal readonly record struct ProtoToken(ProtoTokenKind Kind, string Text, int Start, int Length, int Line, int Column)
{
    public bool Is(string symbolOrWord) => Kind is ProtoTokenKind.Symbol or ProtoTokenKind.Identifier && Text == symbolOrWord;

    public string Describe() => Kind switch
    {
        ProtoTokenKind.End => "the end of the file",
        ProtoTokenKind.String => "a string",
        _ => "'" + Text + "'",
    };
}
