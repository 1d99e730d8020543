using Microsoft.CodeAnalysis;

namespace Micro.Generators.Tests;

/// <summary>
/// Real-world .proto shapes: grpc's route_guide with option bodies on its rpcs (as googleapis-style files have on nearly
/// every rpc), comments and strings holding braces, messages imported from another file, nested messages, a proto2
/// group; and files the generator cannot read, which fail the build at the place that is wrong.
/// </summary>
public sealed class ProtoServiceTests
{
    private const string RouteGuide = """
        // Copyright 2015 gRPC authors. A brace in a comment is not one: }
        syntax = "proto3";

        option java_multiple_files = true;
        option java_package = "io.grpc.examples.routeguide";
        option objc_class_prefix = "RTG";

        package routeguide;

        import "google/api/annotations.proto"; // not in the build: none of its messages is used
        import public "geo/point.proto";

        /* Interface exported by the server. } */
        service RouteGuide {
          option (google.api.default_host) = "routeguide.example.com";

          // A simple RPC. {
          rpc GetFeature(geo.Point) returns (Feature) {
            option deprecated = false;
            option (google.api.http) = { get: "/v1/features/{latitude}/{longitude}" };
          }

          // A server-to-client streaming RPC.
          rpc ListFeatures(Rectangle) returns (stream Feature) {
            option (google.api.http) = {
              post: "/v1/features:list"
              body: "*"
              additional_bindings { get: "/v1/{name=features/*}" }
            };
          }

          // A client-to-server streaming RPC.
          rpc RecordRoute(stream geo.Point) returns (RouteSummary) {}

          // A Bidirectional streaming RPC.
          rpc RouteChat(stream RouteNote) returns (stream RouteNote);

          rpc Describe(Feature.Detail) returns (.routeguide.Feature.Detail.Note) { option idempotency_level = NO_SIDE_EFFECTS; };
        }

        message Rectangle { geo.Point lo = 1; geo.Point hi = 2; }

        message Feature {
          string name = 1;
          geo.Point location = 2 [(validate.rules).message = { required: true }];
          message Detail {
            string text = 1 [json_name = "text}"];
            message Note { string body = 1; }
            oneof kind { string a = 2; int32 b = 3; }
            map<string, Note> notes = 4;
          }
          enum Kind { KIND_UNSPECIFIED = 0; }
          reserved 10 to 20;
          option (my.message_option) = { a: "}" };
        }

        message RouteNote { geo.Point location = 1; string message = 2; }
        message RouteSummary { int32 point_count = 1; }
        """;

    private const string Point = """
        syntax = "proto3";
        package geo;
        option csharp_namespace = "Example.Geo";
        message Point { int32 latitude = 1; int32 longitude = 2; }
        """;

    private const string Legacy = """
        syntax = "proto2";
        package legacy_search.v2;
        message Search {
          repeated group Result = 1 { required string url = 2; }
        }
        service Finder { rpc Find(Search.Result) returns (Search); }
        """;

    // What Grpc.Tools generates for these messages, reduced to the types: nested messages in Types, namespaces from
    // csharp_namespace or the package in PascalCase.
    private const string Messages = """
        using Micro.Tests;
        namespace Example.Geo { public sealed class Point : Stub<Point> { } }
        namespace Routeguide
        {
            public sealed class Rectangle : Stub<Rectangle> { }
            public sealed class RouteNote : Stub<RouteNote> { }
            public sealed class RouteSummary : Stub<RouteSummary> { }
            public sealed class Feature : Stub<Feature>
            {
                public static partial class Types
                {
                    public sealed class Detail : Stub<Detail> { public static partial class Types { public sealed class Note : Stub<Note> { } } }
                }
            }
        }
        namespace LegacySearch.V2
        {
            public sealed class Search : Stub<Search> { public static partial class Types { public sealed class Result : Stub<Result> { } } }
        }
        """;

    [Fact]
    public void Route_guide_keeps_all_its_rpcs_through_option_bodies_comments_imports_and_nested_messages()
    {
        var (output, diagnostics, run) = ProtoGeneration.Run(Messages,
            ("/src/protos/route_guide.proto", RouteGuide), ("/src/protos/geo/point.proto", Point), ("/src/protos/legacy.proto", Legacy));
        Assert.Empty(diagnostics);
        ProtoGeneration.AssertCompiles(output);

        var routeGuide = run.GeneratedTrees.Single(t => t.FilePath.EndsWith("Routeguide.RouteGuide.Proto.Micro.g.cs", StringComparison.Ordinal)).GetText().ToString();
        const string Token = "global::System.Threading.CancellationToken cancellationToken";
        Assert.Contains($"global::System.Threading.Tasks.Task<global::Routeguide.Feature> GetFeature(global::Example.Geo.Point request, {Token}", routeGuide);
        Assert.Contains($"global::System.Collections.Generic.IAsyncEnumerable<global::Routeguide.Feature> ListFeatures(global::Routeguide.Rectangle request, {Token}", routeGuide);
        Assert.Contains($"global::System.Threading.Tasks.Task<global::Routeguide.RouteSummary> RecordRoute(global::System.Collections.Generic.IAsyncEnumerable<global::Example.Geo.Point> requests, {Token}", routeGuide);
        Assert.Contains($"global::System.Collections.Generic.IAsyncEnumerable<global::Routeguide.RouteNote> RouteChat(global::System.Collections.Generic.IAsyncEnumerable<global::Routeguide.RouteNote> requests, {Token}", routeGuide);
        Assert.Contains($"global::System.Threading.Tasks.Task<global::Routeguide.Feature.Types.Detail.Types.Note> Describe(global::Routeguide.Feature.Types.Detail request, {Token}", routeGuide);
        foreach (var endpoint in new[] { "GetFeature", "ListFeatures", "RecordRoute", "RouteChat", "Describe" })
        {
            Assert.Contains($"\"RouteGuide.{endpoint}\"", routeGuide); // each rpc is bound as an endpoint too
        }

        var finder = run.GeneratedTrees.Single(t => t.FilePath.EndsWith("LegacySearch.V2.Finder.Proto.Micro.g.cs", StringComparison.Ordinal)).GetText().ToString();
        Assert.Contains("global::System.Threading.Tasks.Task<global::LegacySearch.V2.Search> Find(global::LegacySearch.V2.Search.Types.Result request", finder);
    }

    [Theory]
    [InlineData("MICRO005", 3, "expected rpc or option in service S, found 'message'",
        "syntax = \"proto3\";\nservice S {\n  rpc A(Req) returns (Rep) { option deprecated = true; }\nmessage Req {}\nmessage Rep {}\n")]
    [InlineData("MICRO005", 2, "expected 'returns' after rpc A's request type, found '('",
        "syntax = \"proto3\";\nservice S {\n  rpc A(Req) (Rep);\n}\nmessage Req {}\nmessage Rep {}\n")]
    [InlineData("MICRO005", 3, "expected ';' or an option body { ... } after rpc A, found 'rpc'",
        "service S {\n  rpc B(Req) returns (Rep) {}\n  rpc A(Req) returns (Rep)\n  rpc C(Req) returns (Rep);\n}\nmessage Req {}\nmessage Rep {}\n")]
    [InlineData("MICRO005", 1, "a /* comment is never closed",
        "syntax = \"proto3\";\n/* service S { rpc A(Req) returns (Rep); }\nmessage Req {}\n")]
    [InlineData("MICRO005", 1, "a string is never closed on its line",
        "syntax = \"proto3\";\nservice S { option (x) = \"unclosed; rpc A(Req) returns (Rep); }\n")]
    [InlineData("MICRO005", 2, "expected ']' to close the '[' on line 3, found '}'",
        "syntax = \"proto3\";\nmessage Req {\n  string a = 1 [deprecated = true };\n}\n")]
    [InlineData("MICRO006", 2, "rpc S.A: its response type 'Missing' is not a message defined in bad.proto or in a file it imports that is in the build",
        "syntax = \"proto3\";\nservice S {\n  rpc A(Req) returns (Missing);\n  rpc B(Req) returns (Req);\n}\nmessage Req {}\n")]
    public void A_proto_it_cannot_read_fails_the_build_at_the_place_and_generates_nothing(string id, int line, string message, string proto)
    {
        var (_, diagnostics, run) = ProtoGeneration.Run("", ("/src/bad.proto", proto));
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var where = diagnostic.Location.GetLineSpan();
        Assert.Equal("/src/bad.proto", where.Path);
        Assert.Equal(line, where.StartLinePosition.Line); // 0-based: the build prints it as bad.proto(line + 1, ...)
        Assert.Empty(run.GeneratedTrees); // never a contract with an rpc left out
    }
}
