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
