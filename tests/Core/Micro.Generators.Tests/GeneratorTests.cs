using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

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
        public sealed record OrderReply(string Id, decimal Total, IReadOnlyList<Line> Lines, Dictionary<string, int> Stock, Status? Status);
        public sealed record Line([property: System.Text.Json.Serialization.JsonPropertyName("sku_code")] string Sku, byte[] Note);
        public enum Status { Open, Shipped }

        // Stands in for a System.Text.Json source-generated context (that generator does not run in this test).
        public sealed class ShopJson : System.Text.Json.Serialization.JsonSerializerContext
        {
            public ShopJson() : base(null) { }
            public static ShopJson Default { get; } = new();
            protected override System.Text.Json.JsonSerializerOptions? GeneratedSerializerOptions => null;
            public override System.Text.Json.Serialization.Metadata.JsonTypeInfo? GetTypeInfo(System.Type type) => null;
        }

        [MicroContract("shop.orders", JsonContext = typeof(ShopJson))]
        public interface IOrders
        {
            /// <summary>Gets an order by <see cref="OrderRequest.Id"/>, "as placed".</summary>
            /// <param name="request">Which order.</param>
            Task<OrderReply> Get(OrderRequest request, CancellationToken cancellationToken);
            ValueTask<OrderReply> Peek(OrderRequest request, CancellationToken cancellationToken);
            /// <summary>
            ///   Every change to an order,
            ///   until it ships.
            /// </summary>
            IAsyncEnumerable<OrderReply> Watch(OrderRequest request, CancellationToken cancellationToken);
            Task<OrderReply> Total(IAsyncEnumerable<OrderRequest> requests, CancellationToken cancellationToken);
            IAsyncEnumerable<OrderReply> Chat(IAsyncEnumerable<OrderRequest> requests, CancellationToken cancellationToken);
        }
        """;

    private static (Compilation Output, IReadOnlyList<Diagnostic> GeneratorDiagnostics, GeneratorDriverRunResult Run) Generate(string source, DocumentationMode documentation = DocumentationMode.Parse)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(p => MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(Micro.Contracts.MicroContractAttribute).Assembly.Location))
            .ToArray();
        var compilation = CSharpCompilation.Create("ContractsUnderTest", [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest, documentation))], references,
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
    [InlineData(DocumentationMode.Parse)]
    [InlineData(DocumentationMode.None)] // a project without GenerateDocumentationFile: the comment is read from its text
    public void A_contract_methods_doc_comment_becomes_its_endpoints_description(DocumentationMode documentation)
    {
        var (_, diagnostics, run) = Generate(Contracts, documentation);
        Assert.Empty(diagnostics);
        var generated = Assert.Single(run.GeneratedTrees).GetText().ToString();
        var bindings = generated.Split("global::Micro.Server.ContractEndpoints.")[1..]; // one piece per endpoint binding
        string Binding(string endpoint) => Assert.Single(bindings, b => b.Contains($"(\"Orders.{endpoint}\"", StringComparison.Ordinal)).Split("\n                global::")[0];

        // Summary and the request's <param>, cref as its short name, white space folded, quotes escaped as a C# literal.
        Assert.EndsWith(", description: \"Gets an order by Id, \\\"as placed\\\".\\nrequest: Which order.\"),", Binding("Get").TrimEnd(), StringComparison.Ordinal);
        Assert.EndsWith(", description: \"Every change to an order, until it ships.\"),", Binding("Watch").TrimEnd(), StringComparison.Ordinal);
        Assert.DoesNotContain("description:", Binding("Peek"), StringComparison.Ordinal);
        Assert.DoesNotContain("description:", Binding("Chat"), StringComparison.Ordinal);
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

public sealed class ProtoContractTests
{
    private const string Proto = """
        syntax = "proto3";
        package shop.v1;
        option csharp_namespace = "Shop.Proto";

        // The orders service, as protoc-gen-micro would see it.
        service Orders {
          rpc Get (OrderRequest) returns (OrderReply);
          rpc Watch (OrderRequest) returns (stream OrderReply);
          rpc Total (stream OrderRequest) returns (OrderReply);
          rpc Chat (stream OrderRequest) returns (stream OrderReply);
          rpc Ping (google.protobuf.Empty) returns (shop.v1.OrderReply);
        }

        message OrderRequest { string id = 1; }
        message OrderReply { string id = 1; }
        """;

    // What Grpc.Tools would generate for the messages, reduced to the types (the generator only names them).
    private const string Messages = """
        namespace Shop.Proto { public sealed class OrderRequest : Micro.Tests.Stub<OrderRequest> { } public sealed class OrderReply : Micro.Tests.Stub<OrderReply> { } }
        namespace Google.Protobuf.WellKnownTypes { public sealed class Empty : Micro.Tests.Stub<Empty> { } }
        """;

    [Fact]
    public void A_proto_service_becomes_an_interface_a_typed_client_and_a_binding_that_compile()
    {
        var (output, diagnostics, run) = ProtoGeneration.Run(Messages, ("orders.proto", Proto));
        Assert.Empty(diagnostics);
        ProtoGeneration.AssertCompiles(output);
        var generated = Assert.Single(run.GeneratedTrees).GetText().ToString();
        Assert.Contains("public partial interface IOrders", generated);
        Assert.Contains("global::System.Collections.Generic.IAsyncEnumerable<global::Shop.Proto.OrderReply> Chat(global::System.Collections.Generic.IAsyncEnumerable<global::Shop.Proto.OrderRequest> requests", generated);
        Assert.Contains("global::System.Threading.Tasks.Task<global::Shop.Proto.OrderReply> Ping(global::Google.Protobuf.WellKnownTypes.Empty request", generated);
        Assert.Contains("public OrdersClient(global::Micro.Client.IMicroClient client, string service, global::Micro.Client.CallOptions? options = null, string contentType = \"application/protobuf\")", generated);
        Assert.Contains("ContractEndpoints.Unary<TImplementation, global::Shop.Proto.OrderRequest, global::Shop.Proto.OrderReply>(\"Orders.Get\"", generated);
        Assert.Contains("AddOrders<[global::System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(", generated);
        Assert.Contains("global::Micro.Server.ProtoDescriber.Describe(global::Shop.Proto.OrderRequest.Descriptor)", generated);
        Assert.Contains("global::Micro.Codec.ProtobufCodec.Register(global::Google.Protobuf.WellKnownTypes.Empty.Parser);", generated);
    }
}
