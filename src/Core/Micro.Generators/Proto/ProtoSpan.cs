namespace Micro.Generators.Proto;

/// <summary>A place in a .proto file (0-based line and column, as Roslyn's locations count).</summary>
internal sealed record ProtoSpan(int Start, int Length, int Line, int Column)
{
    public static ProtoSpan Of(ProtoToken token) => new(token.Start, token.Length, token.Line, token.Column);
}
