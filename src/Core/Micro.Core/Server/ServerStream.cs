using System.Reflection;
using System.Runtime.CompilerServices;
using Micro.Codec;
using Micro.Transport;

namespace Micro.Server;

/// <summary>A stream being served: its transport stream and the codec its messages use.</summary>
public sealed class ServerStream(ITransportStream stream, ICodec codec)
{
    public ITransportStream Transport { get; } = stream;

    public ICodec Codec { get; } = codec;

    /// <summary>The caller's messages, decoded, until it completes.</summary>
    public async IAsyncEnumerable<T> ReadAllAsync<T>([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await Transport.ReceiveAsync(cancellationToken).ConfigureAwait(false) is { } body)
        {
            yield return Codec.Decode<T>(body);
        }
    }

    public ValueTask SendAsync<T>(T message, CancellationToken cancellationToken) => Transport.SendAsync(Codec.Encode(message), cancellationToken);
}
