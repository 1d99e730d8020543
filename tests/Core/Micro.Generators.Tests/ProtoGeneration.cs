using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Micro.Generators.Tests;

/// <summary>Runs the generator over .proto files as a build's AdditionalFiles, beside stand-ins for Grpc.Tools' messages.</summary>
internal static class ProtoGeneration
{
    /// <summary>Just enough of a generated message for the emitted code to compile against: Parser, Descriptor, IMessage&lt;T&gt;.</summary>
    private const string StubMessage = """
        namespace Micro.Tests
        {
            public abstract class Stub<T> : Google.Protobuf.IMessage<T> where T : Stub<T>
            {
                public static Google.Protobuf.MessageParser<T> Parser => throw null!;
                public static Google.Protobuf.Reflection.MessageDescriptor Descriptor => throw null!;
                Google.Protobuf.Reflection.MessageDescriptor Google.Protobuf.IMessage.Descriptor => throw null!;
                public void MergeFrom(T message) => throw null!;
                public void MergeFrom(Google.Protobuf.CodedInputStream input) => throw null!;
                public void WriteTo(Google.Protobuf.CodedOutputStream output) => throw null!;
                public int CalculateSize() => throw null!;
                public T Clone() => throw null!;
                public bool Equals(T? other) => ReferenceEquals(this, other);
            }
        }
        """;

    private sealed class ProtoText(string path, string text) : AdditionalText
    {
        public override string Path => path;

        public override Microsoft.CodeAnalysis.Text.SourceText GetText(CancellationToken cancellationToken = default) => Microsoft.CodeAnalysis.Text.SourceText.From(text);
    }

    /// <param name="messages">C# stand-ins for the message classes Grpc.Tools would generate (deriving from Micro.Tests.Stub&lt;T&gt;).</param>
    public static (Compilation Output, IReadOnlyList<Diagnostic> Diagnostics, GeneratorDriverRunResult Run) Run(string messages, params (string Path, string Text)[] protos)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(p => MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(Micro.Contracts.MicroContractAttribute).Assembly.Location))
            .Append(MetadataReference.CreateFromFile(typeof(Google.Protobuf.IMessage).Assembly.Location))
            .ToArray();
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create("ProtoUnderTest", [CSharpSyntaxTree.ParseText(messages, options), CSharpSyntaxTree.ParseText(StubMessage, options)], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var driver = CSharpGeneratorDriver.Create([new ContractGenerator().AsSourceGenerator()], protos.Select(p => (AdditionalText)new ProtoText(p.Path, p.Text)))
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return (output, diagnostics, driver.GetRunResult());
    }

    public static void AssertCompiles(Compilation output)
    {
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(errors.Length == 0, string.Join("\n", errors.Select(e => e.ToString())));
    }
}
