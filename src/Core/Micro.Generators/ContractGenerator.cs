using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Micro.Generators;

/// <summary>
/// For each interface marked <c>[MicroContract("service")]</c>: a typed client <c>&lt;Name&gt;Client</c> implementing the
/// interface over IMicroClient, a binding <c>&lt;Name&gt;Binding.Endpoints&lt;TImplementation&gt;()</c> and a builder
/// extension <c>Add&lt;Name&gt;&lt;TImplementation&gt;()</c>. Endpoints are <c>&lt;Name&gt;.&lt;Method&gt;</c>, as for plain classes.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ContractGenerator : IIncrementalGenerator
{
    private const string AttributeName = "Micro.Contracts.MicroContractAttribute";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var contracts = context.SyntaxProvider.ForAttributeWithMetadataName(
            AttributeName,
            static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.InterfaceDeclarationSyntax,
            static (ctx, _) => Analyze((INamedTypeSymbol)ctx.TargetSymbol, ctx.Attributes[0]));
        context.RegisterSourceOutput(contracts, static (spc, contract) =>
        {
            foreach (var diagnostic in contract.Diagnostics)
            {
                spc.ReportDiagnostic(diagnostic.ToDiagnostic());
            }

            if (contract.Diagnostics.Length == 0)
            {
                spc.AddSource(contract.HintName, Emitter.Emit(contract));
            }
        });

        // .proto files given as AdditionalFiles: each `service` block becomes a contract (messages come from Grpc.Tools).
        // All files are read first, since a service may use messages of a file it imports.
        var protoContracts = context.AdditionalTextsProvider
            .Where(static f => f.Path.EndsWith(".proto", System.StringComparison.OrdinalIgnoreCase))
            .Select(static (f, ct) => Proto.ProtoParser.Read(f.Path, f.GetText(ct)?.ToString() ?? ""))
            .Collect()
            .SelectMany(static (files, _) => Proto.ProtoContracts.Build(files));
        context.RegisterSourceOutput(protoContracts, static (spc, result) =>
        {
            if (result.Diagnostic is not null)
            {
                spc.ReportDiagnostic(result.Diagnostic.ToDiagnostic());
            }

            if (result.Contract is not null)
            {
                spc.AddSource(result.Contract.HintName, Emitter.Emit(result.Contract));
            }
        });
    }

    private static Contract Analyze(INamedTypeSymbol type, AttributeData attribute)
    {
        var service = attribute.ConstructorArguments.Length > 0 ? attribute.ConstructorArguments[0].Value as string ?? "" : "";
        var name = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Name").Value.Value as string
                   ?? (type.Name.Length > 1 && type.Name[0] == 'I' && char.IsUpper(type.Name[1]) ? type.Name.Substring(1) : type.Name);
        var jsonContext = (attribute.NamedArguments.FirstOrDefault(a => a.Key == "JsonContext").Value.Value as ITypeSymbol)?
            .ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        var diagnostics = new List<DiagnosticInfo>();
        var location = type.Locations.FirstOrDefault();
        if (type.IsGenericType || type.ContainingType is { IsGenericType: true })
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.NotAccessible, location, type.Name));
        }

        var methods = new List<ContractMethod>();
        var members = type.GetMembers().OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary && !m.IsStatic).ToList();
        foreach (var group in members.GroupBy(m => m.Name).Where(g => g.Count() > 1))
        {
            diagnostics.Add(new DiagnosticInfo(Diagnostics.Overload, group.Skip(1).First().Locations.FirstOrDefault(), type.Name, group.Key, name));
        }

        foreach (var method in members)
        {
            var where = method.Locations.FirstOrDefault();
            var returnKind = Classify(method.ReturnType, out var response, out var responseType);
            if (returnKind == Shape.None)
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.WrongReturnType, where, type.Name, method.Name, method.ReturnType.ToDisplayString()));
                continue;
            }

            if (method.Parameters.Length != 2 || method.Parameters[1].Type.ToDisplayString() != "System.Threading.CancellationToken")
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.WrongParameters, where, type.Name, method.Name));
                continue;
            }

            var clientStreams = Classify(method.Parameters[0].Type, out var request, out var requestType) == Shape.AsyncEnumerable;
            if (!clientStreams)
            {
                requestType = method.Parameters[0].Type;
                request = requestType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            }

            var kind = (clientStreams, returnKind) switch
            {
                (false, Shape.AsyncEnumerable) => "ServerStream",
                (true, Shape.AsyncEnumerable) => "Bidirectional",
                (true, Shape.Task) => "ClientStream",
                (false, Shape.Task) => "UnaryTask",
                (false, Shape.ValueTask) => "UnaryValueTask",
                _ => "",
            };
            if (kind.Length == 0)
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.WrongReturnType, where, type.Name, method.Name, method.ReturnType.ToDisplayString()));
                continue;
            }

            var idempotent = method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "Micro.IdempotentAttribute");
            var required = new List<string>();
            methods.Add(new ContractMethod(method.Name, kind, request, response, method.Parameters[0].Name, method.Parameters[1].Name,
                ValueWriter.Describe(requestType!, required), ValueWriter.Describe(responseType!), idempotent, DocComments.Describe(method), string.Join(",", required)));
        }

        var ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString();
        return new Contract(
            ns,
            type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            type.DeclaredAccessibility == Accessibility.Public ? "public" : "internal",
            service,
            name,
            methods.ToImmutableArray(),
            diagnostics.ToImmutableArray(),
            (ns is null ? "" : ns + ".") + type.Name + ".Micro.g.cs",
            JsonContext: jsonContext);
    }

    private static Shape Classify(ITypeSymbol type, out string element, out ITypeSymbol? elementType)
    {
        element = "";
        elementType = null;
        if (type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named)
        {
            elementType = named.TypeArguments[0];
            element = elementType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            switch (named.ConstructedFrom.ToDisplayString())
            {
                case "System.Threading.Tasks.Task<TResult>": return Shape.Task;
                case "System.Threading.Tasks.ValueTask<TResult>": return Shape.ValueTask;
                case "System.Collections.Generic.IAsyncEnumerable<T>": return Shape.AsyncEnumerable;
            }
        }

        return Shape.None;
    }

    private enum Shape
    {
        None,
        Task,
        ValueTask,
        AsyncEnumerable,
    }
}

/// <summary>Everything emitted for one contract (value-equal, so unchanged contracts are not regenerated).</summary>
internal sealed record Contract(string? Namespace, string Interface, string Accessibility, string Service, string Name,
    ImmutableArray<ContractMethod> Methods, ImmutableArray<DiagnosticInfo> Diagnostics, string HintName,
    bool DeclareInterface = false, string ContentType = "application/json", string? JsonContext = null)
{
    public bool Equals(Contract? other)
        => other is not null && Namespace == other.Namespace && Interface == other.Interface && Accessibility == other.Accessibility
           && Service == other.Service && Name == other.Name && Methods.SequenceEqual(other.Methods) && Diagnostics.SequenceEqual(other.Diagnostics)
           && DeclareInterface == other.DeclareInterface && ContentType == other.ContentType && JsonContext == other.JsonContext;

    public override int GetHashCode() => (Interface + Service + Name).GetHashCode();
}

/// <summary>One endpoint; <c>RequestValue</c>/<c>ResponseValue</c> are C# expressions building its registry descriptions.</summary>
internal sealed record ContractMethod(string Name, string Kind, string Request, string Response, string RequestParameter, string TokenParameter,
    string RequestValue, string ResponseValue, bool Idempotent = false, string? Description = null, string? Required = null);

internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, Location? Location, params object[] Arguments)
{
    public Diagnostic ToDiagnostic() => Diagnostic.Create(Descriptor, Location, Arguments);

    public bool Equals(DiagnosticInfo? other) => other is not null && Descriptor.Id == other.Descriptor.Id && Arguments.SequenceEqual(other.Arguments);

    public override int GetHashCode() => Descriptor.Id.GetHashCode();
}
