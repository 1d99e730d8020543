namespace Micro.Registry;

/// <summary>An in-process registry: for tests and single-process programs.</summary>
public sealed class MemoryRegistry : NodeStoreRegistry
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, NodeRecord> _records = new();

    public MemoryRegistry(TimeProvider? timeProvider = null, TimeSpan? pollInterval = null)
        : base(timeProvider, pollInterval ?? TimeSpan.FromSeconds(1))
    {
    }

    public override string Name => "memory";

    protected override ValueTask WriteAsync(NodeRecord record, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _records[record.Key] = record;
        }

        return ValueTask.CompletedTask;
    }

    protected override ValueTask RemoveAsync(string service, string nodeId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _records.Remove(NodeRecord.NodeKey(service, nodeId));
        }

        return ValueTask.CompletedTask;
    }

    protected override ValueTask<IReadOnlyList<NodeRecord>> ReadAllAsync(string? service, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = TimeProvider.GetUtcNow();
            // Forget records long expired so a long-lived process does not accumulate dead nodes.
            List<string>? dead = null;
            foreach (var (key, record) in _records)
            {
                if (record.Expires + TimeSpan.FromMinutes(10) < now)
                {
                    (dead ??= []).Add(key);
                }
            }

            dead?.ForEach(k => _records.Remove(k));
            return ValueTask.FromResult<IReadOnlyList<NodeRecord>>(_records.Values.ToArray());
        }
    }
}
