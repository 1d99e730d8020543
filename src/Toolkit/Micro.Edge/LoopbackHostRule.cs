namespace Micro.Edge;

/// <summary>When <see cref="BrowserGuard"/> serves only loopback <c>Host</c> names (<c>127.0.0.1</c>, <c>[::1]</c>, <c>localhost</c>).</summary>
public enum LoopbackHostRule
{
    /// <summary>Any <c>Host</c>: the server is reached from elsewhere, by names it cannot know.</summary>
    Never,

    /// <summary>Only loopback names: the server listens on loopback only (micro web's and micro proxy's default).</summary>
    Always,

    /// <summary>
    /// Only loopback names on requests that arrive over a loopback connection: an app that may listen anywhere, where a
    /// DNS-rebound name (<c>evil.example</c> resolving to 127.0.0.1) must still not reach what the operator's browser can.
    /// </summary>
    OnLoopbackConnections,
}
