using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Micro.Generators;

namespace Micro.Generators.Tests;

public sealed class GeneratorTests
{
    private const string Contracts = """
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Micro.Contracts;

        namespace Shop;

        public sealed record OrderRequest(string Id);
        public sealed record OrderReply(string Id, decimal Total);

        [MicroContract("shop.orders")]
        public interface IOrders
        {
            Task<OrderReply> Get(OrderRequest request, CancellationToken cancellationToken);
            ValueTask<OrderReply> Peek(OrderRequest request, CancellationToken cancellationToken);
            IAsyncEnumerable<OrderReply> Watch(OrderRequest request, CancellationToken cancellationToken);
            Task<OrderReply> Total(IAsyncEnumerable<OrderRequest> requests, CancellationToken cancellationToken);
            IAsyncEnumerable<OrderReply> Chat(IAsyncEnumerable<OrderRequest> requests, CancellationToken cancellationToken);
        }
        """;

    private static (Compilation Output, IReadOnlyList<Diagnostic> GeneratorDiagnostics, GeneratorDriverRunResult Run) Generate(string source)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(p => MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(Micro.Contracts.MicroContractAttribute).Assembly.Location))
            .ToArray();
        var compilation = CSharpCompilation.Create("ContractsUnderTest", [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var driver = CSharpGeneratorDriver.Create(new ContractGenerator()).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return (output, diagnostics, driver.GetRunResult());
    }

    [Fact]
    public void The_emitted_code_for_a_contract_with_every_method_kind_matches_the_snapshot_and_compiles()
    {
        var (output, diagnostics, run) = Generate(Contracts);
        Assert.Empty(diagnostics);
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 0, string.Join("\n", errors.Select(e => e.ToString())));

        var generated = Assert.Single(run.GeneratedTrees).GetText().ToString();
        var folder = typeof(GeneratorTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SnapshotFolder").Value!;
        var snapshot = Path.Combine(folder, "Orders.verified.cs.txt");
        if (!File.Exists(snapshot) || File.ReadAllText(snapshot) != generated)
        {
            File.WriteAllText(Path.Combine(folder, "Orders.received.cs.txt"), generated);
        }

        Assert.True(File.Exists(snapshot), $"no snapshot yet: review {folder}/Orders.received.cs.txt and rename it to Orders.verified.cs.txt");
        Assert.Equal(File.ReadAllText(snapshot), generated);
    }

    [Theory]
    [InlineData("MICRO001", "int Get(Req request, CancellationToken cancellationToken);", "returns int; a contract method returns Task<TResponse>, ValueTask<TResponse> or IAsyncEnumerable<TResponse>")]
    [InlineData("MICRO001", "Task Get(Req request, CancellationToken cancellationToken);", "returns System.Threading.Tasks.Task")]
    [InlineData("MICRO002", "Task<Req> Get(Req request);", "must take (TRequest request, CancellationToken cancellationToken)")]
    [InlineData("MICRO002", "Task<Req> Get(CancellationToken cancellationToken, Req request);", "with the token last")]
    [InlineData("MICRO003", "Task<Req> Get(Req request, CancellationToken cancellationToken);\n Task<Req> Get(Other request, CancellationToken cancellationToken);", "more than one method named Get; endpoint names (Bad.Get) must be unique")]
    public void Contracts_it_cannot_bind_get_a_diagnostic_saying_what_to_change(string id, string members, string message)
    {
        var source = $$"""
            using System.Threading;
            using System.Threading.Tasks;
            using Micro.Contracts;
            public sealed record Req(string A);
            public sealed record Other(string B);
            [MicroContract("bad")]
            public interface IBad
            {
                {{members}}
            }
            """;
        var (_, diagnostics, run) = Generate(source);
        var diagnostic = Assert.Single(diagnostics, d => d.Id == id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(run.GeneratedTrees); // nothing half-generated
    }

    [Fact]
    public void A_generic_contract_is_refused()
    {
        var (_, diagnostics, _) = Generate("""
            using System.Threading; using System.Threading.Tasks; using Micro.Contracts;
            [MicroContract("g")] public interface IGen<T> { Task<T> Get(T request, CancellationToken cancellationToken); }
            """);
        Assert.Contains(diagnostics, d => d.Id == "MICRO004");
    }
}
