namespace Micro.Proxy;

/// <summary>How <c>micro proxy</c> listens and whom it serves.</summary>
public sealed record ProxyOptions
{
    /// <summary><c>--address</c>.</summary>
    public string Address { get; init; } = "127.0.0.1:8081";

    /// <summary><c>--auth_token</c>: when set, every request must carry <c>Authorization: Bearer &lt;token&gt;</c>.</summary>
    public string? AuthToken { get; init; }

    /// <summary>Largest request body or stream message in bytes.</summary>
    public long MaxBodyBytes { get; init; } = 10 * 1024 * 1024;
}
