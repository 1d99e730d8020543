namespace Micro.Generators.Proto;

/// <summary>What a token of a .proto file is.</summary>
internal enum ProtoTokenKind
{
    Identifier,
    Number,
    String,
    Symbol,
    End,
}
