using System.Reflection;

namespace Micro.IntegrationTests;

/// <summary>Starts the repository's programs as real processes, each with its output captured.</summary>
internal static class Programs
{
    private static string Metadata(string key) => typeof(Programs).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    public static string Root => Metadata("RepositoryRoot");

    /// <summary>The configuration the repository was built in (Debug, or Release in CI).</summary>
    public static string Configuration => Metadata("Configuration");

    public static string GreeterService => Dll("examples/Greeter/Service", "greeter-service.dll");

    public static string GreeterClient => Dll("examples/Greeter/Client", "greeter-client.dll");

    public static string Cli => Dll("src/Toolkit/Micro.Cli", "Micro.Cli.dll");

    public static string ProtoGreeter => Dll("examples/ProtoGreeter", "proto-greeter.dll");

    public static string StreamingService => Dll("examples/Streaming/Service", "streaming-service.dll");

    public static string PubSubSubscriber => Dll("examples/PubSub/Subscriber", "pubsub-subscriber.dll");

    public static string PubSubPublisher => Dll("examples/PubSub/Publisher", "pubsub-publisher.dll");

    public static string WebApp => Dll("examples/WebApp", "webapp-hello.dll");

    public static string EdgeInApp => Dll("examples/EdgeInApp", "edge-in-app.dll");

    /// <summary>The Native AOT build of the Greeter service that eng/publish-aot.sh (run by eng/test.sh) makes.</summary>
    public static string GreeterServiceAot
    {
        get
        {
            var path = Path.Combine(Root, ".build", "aot", "greeter", "greeter-service");
            return File.Exists(path) ? path : throw new FileNotFoundException($"no Native AOT greeter at {path}: run eng/publish-aot.sh (eng/test.sh runs it before the tests).");
        }
    }

    private static string Dll(string project, string name)
    {
        var path = Path.Combine(Root, project, "bin", Metadata("Configuration"), "net10.0", name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{name} was not built at {path}; build the solution first.");
    }
}
