namespace Micro.Contracts;

/// <summary>
/// Marks an interface as a service contract. The Micro source generator emits, at compile time, a typed client
/// (<c>&lt;Name&gt;Client</c>, implementing the interface over <see cref="Client.IMicroClient"/>) and a server binding
/// (<c>builder.Add&lt;Name&gt;&lt;TImplementation&gt;()</c>) that dispatches endpoints <c>&lt;Name&gt;.&lt;Method&gt;</c> without reflection.
/// <c>&lt;Name&gt;</c> is the interface name without its leading <c>I</c>, unless <see cref="Name"/> says otherwise.
/// </summary>
[AttributeUsage(AttributeTargets.Interface)]
public sealed class MicroContractAttribute(string service) : Attribute
{
    /// <summary>The service the client calls, e.g. <c>greeter</c>.</summary>
    public string Service { get; } = service;

    /// <summary>The handler name in endpoint names (<c>Greeter</c> in <c>Greeter.Hello</c>).</summary>
    public string? Name { get; init; }

    /// <summary>
    /// A <c>JsonSerializerContext</c> holding the contract's messages: registered with the JSON codec when the assembly
    /// loads, so JSON needs no reflection (required for trimmed and Native AOT apps, faster everywhere).
    /// </summary>
    public Type? JsonContext { get; init; }
}
