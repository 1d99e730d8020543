using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Micro.Generators.Proto;

/// <summary>
/// Turns the build's .proto files into contracts (as protoc-gen-micro did for Go): each <c>service</c> becomes an
/// interface <c>I&lt;Service&gt;</c> whose endpoints are <c>Service.Method</c>, over the C# types Grpc.Tools generates for the
/// messages. A message type is looked up as protoc does (from the file's package outwards) in the file itself and in the
/// files it imports; a service with an rpc whose type cannot be found, or a file that cannot be read, is reported and
/// generates nothing (never a contract with an rpc left out).
/// </summary>
internal static class ProtoContracts
{
    public static ImmutableArray<(Contract? Contract, DiagnosticInfo? Diagnostic)> Build(ImmutableArray<ProtoFile> files)
    {
        var results = new List<(Contract?, DiagnosticInfo?)>();
        foreach (var file in files)
        {
            if (file.ErrorMessage is not null)
            {
                results.Add((null, new DiagnosticInfo(Diagnostics.UnreadableProto, LocationOf(file, file.Error!), FileName(file.Path), file.ErrorMessage)));
                continue;
            }

            var visible = Visible(file, files);
            foreach (var service in file.Services)
            {
                var methods = new List<ContractMethod>();
                var missing = new List<DiagnosticInfo>();
                foreach (var rpc in service.Rpcs)
                {
                    var request = Resolve(rpc.Request, file, visible);
                    var response = Resolve(rpc.Response, file, visible);
                    foreach (var (written, found, role) in new[] { (rpc.Request, request, "request"), (rpc.Response, response, "response") })
                    {
                        if (found is null)
                        {
                            missing.Add(new DiagnosticInfo(Diagnostics.UnknownProtoMessage, LocationOf(file, rpc.At), service.Name, rpc.Name, role, written, FileName(file.Path)));
                        }
                    }

                    if (request is null || response is null)
                    {
                        continue;
                    }

                    var kind = (rpc.ClientStreams, rpc.ServerStreams) switch
                    {
                        (false, false) => "UnaryTask",
                        (false, true) => "ServerStream",
                        (true, false) => "ClientStream",
                        _ => "Bidirectional",
                    };
                    methods.Add(new ContractMethod(rpc.Name, kind, request, response, rpc.ClientStreams ? "requests" : "request", "cancellationToken",
                        $"global::Micro.Server.ProtoDescriber.Describe({request}.Descriptor)", $"global::Micro.Server.ProtoDescriber.Describe({response}.Descriptor)"));
                }

                if (missing.Count > 0)
                {
                    results.AddRange(missing.Select(d => ((Contract?)null, (DiagnosticInfo?)d)));
                    continue;
                }

                var ns = Namespace(file);
                var prefix = ns.Length > 0 ? "global::" + ns + "." : "global::";
                results.Add((new Contract(ns.Length > 0 ? ns : null, prefix + "I" + service.Name, "public", "", service.Name, methods.ToImmutableArray(),
                    ImmutableArray<DiagnosticInfo>.Empty, (ns.Length > 0 ? ns + "." : "") + service.Name + ".Proto.Micro.g.cs",
                    DeclareInterface: true, ContentType: "application/protobuf"), null));
            }
        }

        return results.ToImmutableArray();
    }

    /// <summary>The file and the files it imports, directly or through them, that are in the build.</summary>
    private static List<ProtoFile> Visible(ProtoFile file, ImmutableArray<ProtoFile> files)
    {
        var seen = new List<ProtoFile> { file };
        for (var i = 0; i < seen.Count; i++)
        {
            foreach (var import in seen[i].Imports)
            {
                foreach (var candidate in files)
                {
                    if (!seen.Contains(candidate) && Names(candidate.Path, import))
                    {
                        seen.Add(candidate);
                    }
                }
            }
        }

        return seen;
    }

    /// <summary>An import ("google/type/date.proto") names a file whose path ends with it, at a folder boundary.</summary>
    private static bool Names(string path, string import)
    {
        var normalized = path.Replace('\\', '/');
        import = import.Replace('\\', '/');
        return normalized == import || normalized.EndsWith("/" + import, System.StringComparison.Ordinal);
    }

    /// <summary>The C# type of a message reference, or null if no visible file defines it.</summary>
    private static string? Resolve(string reference, ProtoFile file, List<ProtoFile> visible)
    {
        // Fully qualified (".pkg.Msg"), or relative: tried in the package, then each enclosing package, then at the root.
        var candidates = new List<string>();
        if (reference.StartsWith(".", System.StringComparison.Ordinal))
        {
            candidates.Add(reference.Substring(1));
        }
        else
        {
            for (var scope = file.Package; ; scope = scope.Contains(".") ? scope.Substring(0, scope.LastIndexOf('.')) : "")
            {
                candidates.Add(scope.Length > 0 ? scope + "." + reference : reference);
                if (scope.Length == 0)
                {
                    break;
                }
            }
        }

        foreach (var full in candidates)
        {
            foreach (var owner in visible)
            {
                var local = owner.Package.Length == 0 ? full
                    : full.StartsWith(owner.Package + ".", System.StringComparison.Ordinal) ? full.Substring(owner.Package.Length + 1) : null;
                if (local is not null && owner.Messages.Contains(local))
                {
                    var ns = Namespace(owner);
                    return "global::" + (ns.Length > 0 ? ns + "." : "") + local.Replace(".", ".Types.");
                }
            }
        }

        // The well-known types (google/protobuf/*.proto) ship with Google.Protobuf, whether or not their files are in the build.
        foreach (var full in candidates)
        {
            if (full.StartsWith("google.protobuf.", System.StringComparison.Ordinal) && full.IndexOf('.', "google.protobuf.".Length) < 0)
            {
                return "global::Google.Protobuf.WellKnownTypes." + full.Substring("google.protobuf.".Length);
            }
        }

        return null;
    }

    /// <summary>The C# namespace Grpc.Tools gives a file's messages: csharp_namespace, else the package in PascalCase.</summary>
    private static string Namespace(ProtoFile file)
    {
        if (file.CSharpNamespace is not null)
        {
            return file.CSharpNamespace;
        }

        // protoc's UnderscoresToCamelCase(package, cap_next_letter: true, preserve_period: true).
        var result = new StringBuilder();
        var capitalize = true;
        foreach (var c in file.Package)
        {
            if (c >= 'a' && c <= 'z')
            {
                result.Append(capitalize ? char.ToUpperInvariant(c) : c);
                capitalize = false;
            }
            else if (c >= 'A' && c <= 'Z')
            {
                result.Append(c);
                capitalize = false;
            }
            else if (c >= '0' && c <= '9')
            {
                result.Append(c);
                capitalize = true;
            }
            else
            {
                if (c == '.')
                {
                    result.Append('.');
                }

                capitalize = true;
            }
        }

        return result.ToString();
    }

    private static string FileName(string path) => System.IO.Path.GetFileName(path);

    private static Location LocationOf(ProtoFile file, ProtoSpan at)
        => Location.Create(file.Path, new TextSpan(at.Start, at.Length),
            new LinePositionSpan(new LinePosition(at.Line, at.Column), new LinePosition(at.Line, at.Column + at.Length)));
}
