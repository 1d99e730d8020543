namespace Micro.Selector;

/// <summary>The built-in strategies by their <c>--selector</c> names.</summary>
public static class SelectionStrategies
{
    public static ISelectionStrategy Create(string name) => (name ?? "").ToLowerInvariant() switch
    {
        "random" or "blacklist" or "" => new RandomStrategy(),
        "roundrobin" or "round_robin" or "round-robin" => new RoundRobinStrategy(),
        "hashed" or "hash" or "shard" => new HashedStrategy(),
        "p2c" or "least_loaded" => new PowerOfTwoChoicesStrategy(),
        _ => throw new Micro.Hosting.MicroConfigurationException($"selector: unknown strategy '{name}'; use random, roundrobin, hashed, p2c or blacklist."),
    };
}
