namespace Micro.Selector;

/// <summary>Chooses the node a call goes to, and learns from how calls to nodes went.</summary>
public interface ISelector : IAsyncDisposable
{
    /// <summary>
    /// The node for the next attempt to <paramref name="service"/>; throws a 404 <see cref="MicroException"/> when none.
    /// The attempt counts as in flight on that node until it is given to <see cref="Report"/>, which every caller does
    /// once, whatever the outcome.
    /// </summary>
    ValueTask<SelectableNode> SelectAsync(string service, SelectRequest request, CancellationToken cancellationToken = default);

    /// <summary>Ends an attempt to a node this selector chose: feeds its load and latency, and the ejection of failing or outlying nodes.</summary>
    void Report(string service, SelectableNode node, NodeOutcome outcome, TimeSpan elapsed);
}
