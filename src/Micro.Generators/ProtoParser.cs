using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text.RegularExpressions;

namespace Micro.Generators;

/// <summary>
/// Reads the <c>service</c> blocks of a .proto file (as protoc-gen-micro did for Go): each becomes a contract whose
/// endpoints are <c>Service.Method</c> and whose messages are the C# types Grpc.Tools generates.
/// </summary>
internal static class ProtoParser
{
    private static readonly Regex Comments = new(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline);
    private static readonly Regex Package = new(@"\bpackage\s+([\w.]+)\s*;");
    private static readonly Regex CSharpNamespace = new(@"option\s+csharp_namespace\s*=\s*""([^""]+)""\s*;");
    private static readonly Regex Service = new(@"\bservice\s+(\w+)\s*\{(.*?)\}", RegexOptions.Singleline);
    private static readonly Regex Rpc = new(@"\brpc\s+(\w+)\s*\(\s*(stream\s+)?([\w.]+)\s*\)\s*returns\s*\(\s*(stream\s+)?([\w.]+)\s*\)");

    public static ImmutableArray<Contract> Services(string path, string text)
    {
        text = Comments.Replace(text, "");
        var package = Package.Match(text) is { Success: true } p ? p.Groups[1].Value : "";
        var ns = CSharpNamespace.Match(text) is { Success: true } n ? n.Groups[1].Value : string.Join(".", package.Split('.').Where(s => s.Length > 0).Select(Pascal));
        var contracts = new List<Contract>();
        foreach (Match service in Service.Matches(text))
        {
            var name = service.Groups[1].Value;
            var methods = new List<ContractMethod>();
            foreach (Match rpc in Rpc.Matches(service.Groups[2].Value))
            {
                var clientStreams = rpc.Groups[2].Success;
                var serverStreams = rpc.Groups[4].Success;
                var kind = (clientStreams, serverStreams) switch
                {
                    (false, false) => "UnaryTask",
                    (false, true) => "ServerStream",
                    (true, false) => "ClientStream",
                    _ => "Bidirectional",
                };
                var request = TypeName(rpc.Groups[3].Value, package, ns);
                var response = TypeName(rpc.Groups[5].Value, package, ns);
                methods.Add(new ContractMethod(rpc.Groups[1].Value, kind, request, response, clientStreams ? "requests" : "request", "cancellationToken",
                    $"global::Micro.Server.ProtoDescriber.Describe({request}.Descriptor)", $"global::Micro.Server.ProtoDescriber.Describe({response}.Descriptor)"));
            }

            var prefix = ns.Length > 0 ? "global::" + ns + "." : "global::";
            contracts.Add(new Contract(ns.Length > 0 ? ns : null, prefix + "I" + name, "public", "", name, methods.ToImmutableArray(),
                ImmutableArray<DiagnosticInfo>.Empty, (ns.Length > 0 ? ns + "." : "") + name + ".Proto.Micro.g.cs",
                DeclareInterface: true, ContentType: "application/protobuf"));
        }

        return contracts.ToImmutableArray();
    }

    /// <summary>A message name as C#: well-known types map to Google.Protobuf.WellKnownTypes; others live in the file's namespace.</summary>
    private static string TypeName(string protoName, string package, string ns)
    {
        if (protoName.StartsWith("google.protobuf.", System.StringComparison.Ordinal))
        {
            return "global::Google.Protobuf.WellKnownTypes." + protoName.Substring("google.protobuf.".Length);
        }

        var local = package.Length > 0 && protoName.StartsWith(package + ".", System.StringComparison.Ordinal) ? protoName.Substring(package.Length + 1) : protoName;
        return (ns.Length > 0 ? "global::" + ns + "." : "global::") + local;
    }

    private static string Pascal(string segment) => segment.Length == 0 ? segment : char.ToUpperInvariant(segment[0]) + segment.Substring(1);
}
