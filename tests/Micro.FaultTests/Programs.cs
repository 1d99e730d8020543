using System.Reflection;

namespace Micro.FaultTests;

/// <summary>The repository's programs the suite starts as real processes.</summary>
internal static class Programs
{
    private static string Metadata(string key) => typeof(Programs).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    public static string GreeterService
    {
        get
        {
            var path = Path.Combine(Metadata("RepositoryRoot"), "examples/Greeter/Service", "bin", Metadata("Configuration"), "net10.0", "greeter-service.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"greeter-service.dll was not built at {path}; build the solution first.");
        }
    }
}
