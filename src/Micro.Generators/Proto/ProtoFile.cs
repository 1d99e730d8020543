namespace Micro.Generators.Proto;

/// <summary>What the generator needs of one .proto file: where its messages live in C#, what it imports, its services.</summary>
/// <param name="Messages">Every message the file defines, nested ones too, by full name without the package (<c>Outer.Inner</c>).</param>
/// <param name="Error">Why the file could not be read, if it could not; then nothing else is filled.</param>
internal sealed record ProtoFile(
    string Path,
    string Package,
    string? CSharpNamespace,
    EquatableArray<string> Imports,
    EquatableArray<string> Messages,
    EquatableArray<ProtoService> Services,
    ProtoSpan? Error = null,
    string? ErrorMessage = null);

internal sealed record ProtoService(string Name, ProtoSpan At, EquatableArray<ProtoRpc> Rpcs);

/// <summary>One rpc; type names are as written (<c>Point</c>, <c>.routeguide.Point</c>, <c>google.protobuf.Empty</c>).</summary>
internal sealed record ProtoRpc(string Name, ProtoSpan At, string Request, bool ClientStreams, string Response, bool ServerStreams);

/// <summary>A place in a .proto file (0-based line and column, as Roslyn's locations count).</summary>
internal sealed record ProtoSpan(int Start, int Length, int Line, int Column)
{
    public static ProtoSpan Of(ProtoToken token) => new(token.Start, token.Length, token.Line, token.Column);
}
