namespace Micro.Server;

/// <summary>
/// The endpoint metadata that says which way a stream endpoint streams (beside go-micro's <c>stream: true</c>, which does
/// not): tools such as <c>micro mcp</c> can call a server stream with one request, not a stream they would have to feed.
/// </summary>
public static class EndpointStreaming
{
    /// <summary>The endpoint metadata key; absent on unary endpoints and on go-micro's streams.</summary>
    public const string Key = "streaming";

    /// <summary>One request, a stream of replies.</summary>
    public const string Server = "server";

    /// <summary>A stream of requests, one reply.</summary>
    public const string Client = "client";

    /// <summary>Streams both ways.</summary>
    public const string Bidirectional = "bidirectional";

    /// <summary>The endpoint metadata key of a description an agent or a person reads (a contract's doc comment, a handler's <c>[Description]</c>).</summary>
    public const string DescriptionKey = "description";
}
