namespace Micro.Selector;

/// <summary>Chooses the node a call goes to, and learns from how calls to nodes went.</summary>
public interface ISelector : IAsyncDisposable
{
    /// <summary>The node for the next call to <paramref name="service"/>; throws a 404 <see cref="MicroException"/> when none.</summary>
    ValueTask<SelectableNode> SelectAsync(string service, SelectRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reports the outcome of a call to a node (feeds the blacklist).</summary>
    void Mark(string service, string nodeId, bool success);
}
