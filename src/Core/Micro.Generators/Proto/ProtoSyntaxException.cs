namespace Micro.Generators.Proto;

/// <summary>Why a .proto file cannot be read, and where.</summary>
internal sealed class ProtoSyntaxException : System.Exception
{
    public ProtoSyntaxException(string message, ProtoSpan at)
        : base(message) => At = at;

    public ProtoSyntaxException(string message, ProtoToken at)
        : this(message, ProtoSpan.Of(at))
    {
    }

    public ProtoSpan At { get; }
}
