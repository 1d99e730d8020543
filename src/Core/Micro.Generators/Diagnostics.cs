using Microsoft.CodeAnalysis;

namespace Micro.Generators;

/// <summary>What the generator reports for contracts it cannot bind, each saying what to change.</summary>
internal static class Diagnostics
{
    public static readonly DiagnosticDescriptor WrongReturnType = new(
        "MICRO001", "Contract method has an unsupported return type",
        "{0}.{1} returns {2}; a contract method returns Task<TResponse>, ValueTask<TResponse> or IAsyncEnumerable<TResponse>",
        "Micro.Contracts", DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor WrongParameters = new(
        "MICRO002", "Contract method needs a request and a CancellationToken",
        "{0}.{1} must take (TRequest request, CancellationToken cancellationToken), or IAsyncEnumerable<TRequest> for a client stream, with the token last",
        "Micro.Contracts", DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor Overload = new(
        "MICRO003", "Contract methods cannot be overloaded",
        "{0} has more than one method named {1}; endpoint names ({2}.{1}) must be unique, so rename one",
        "Micro.Contracts", DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NotAccessible = new(
        "MICRO004", "Contract interface must be public or internal and not nested in a generic type",
        "{0} cannot have a generated client: make it a non-generic top-level or nested interface",
        "Micro.Contracts", DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnreadableProto = new(
        "MICRO005", "A .proto file cannot be read",
        "{0} cannot be read: {1}; no contract is generated from it until it is fixed",
        "Micro.Contracts", DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnknownProtoMessage = new(
        "MICRO006", "A .proto rpc names a message the generator cannot find",
        "rpc {0}.{1}: its {2} type '{3}' is not a message defined in {4} or in a file it imports that is in the build; give the imported .proto to the build as AdditionalFiles too (service {0} is not generated until then)",
        "Micro.Contracts", DiagnosticSeverity.Error, isEnabledByDefault: true);
}
