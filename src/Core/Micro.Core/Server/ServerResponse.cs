using Micro.Transport;

namespace Micro.Server;

/// <summary>An encoded reply, or the error the request ended with (<see cref="Failure"/>).</summary>
public readonly record struct ServerResponse(ReadOnlyMemory<byte> Body, string ContentType)
{
    /// <summary>Set when the request failed: the caller gets it as the reply's error.</summary>
    public MicroException? Error { get; init; }

    public static ServerResponse Failure(MicroException error) => new(default, "") { Error = error ?? throw new ArgumentNullException(nameof(error)) };
}
