namespace Micro.Selector;

/// <summary>A load-balancing rule: picks one of the candidate nodes. Implementations must be thread-safe.</summary>
public interface ISelectionStrategy
{
    string Name { get; }

    SelectableNode Pick(string service, IReadOnlyList<SelectableNode> nodes, in SelectRequest request);
}
