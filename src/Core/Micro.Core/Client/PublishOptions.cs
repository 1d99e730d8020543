namespace Micro.Client;

/// <summary>Per-publish settings.</summary>
public sealed record PublishOptions
{
    public static PublishOptions Default { get; } = new();

    /// <summary>Sent as message headers, beside Content-Type, Micro-Topic and Micro-Id.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
