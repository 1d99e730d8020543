namespace Micro.Generators.Proto;

/// <summary>One rpc; type names are as written (<c>Point</c>, <c>.routeguide.Point</c>, <c>google.protobuf.Empty</c>).</summary>
internal sealed record ProtoRpc(string Name, ProtoSpan At, string Request, bool ClientStreams, string Response, bool ServerStreams);
