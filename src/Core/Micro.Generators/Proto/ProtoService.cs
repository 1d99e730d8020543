namespace Micro.Generators.Proto;

/// <summary>One service of a .proto file and its rpcs, in order.</summary>
internal sealed record ProtoService(string Name, ProtoSpan At, EquatableArray<ProtoRpc> Rpcs);
