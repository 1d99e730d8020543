namespace Micro.Transport;

/// <summary>A listening endpoint. Disposing it closes every connection it accepted.</summary>
public interface ITransportListener : IAsyncDisposable
{
    /// <summary>The address actually bound (with the real port when 0 was asked for).</summary>
    string Address { get; }

    /// <summary>Stops accepting new connections; existing ones keep working until disposal.</summary>
    ValueTask StopAcceptingAsync();
}
