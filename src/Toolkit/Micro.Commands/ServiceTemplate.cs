using System.Globalization;
using System.Text;

namespace Micro.Commands;

/// <summary>The files <c>micro new</c> writes. The names come from the service name: orders -> IOrders, Orders.Call.</summary>
internal static class ServiceTemplate
{
    /// <summary>The type name for a service name: <c>order-history</c> -> <c>OrderHistory</c>, <c>shop.orders</c> -> <c>Orders</c>.</summary>
    public static string TypeName(string service)
    {
        var last = service.Split('.')[^1];
        var sb = new StringBuilder();
        foreach (var part in last.Split('-', StringSplitOptions.RemoveEmptyEntries))
        {
            sb.Append(char.ToUpperInvariant(part[0])).Append(part[1..]);
        }

        return sb.ToString();
    }

    /// <param name="service">The service name.</param>
    /// <param name="microProject">Micro's project file to reference, or null to use the Micro package.</param>
    /// <param name="source">A NuGet source for the Micro package, written to nuget.config (with nuget.org), or null.</param>
    public static IReadOnlyList<(string Path, string Text)> Files(string service, string? microProject, string? source = null)
    {
        var type = TypeName(service);
        // The package version this micro was built as (informational: keeps pre-release tags), without the commit.
        var version = (System.Reflection.CustomAttributeExtensions.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(typeof(ServiceTemplate).Assembly)?.InformationalVersion
                       ?? "0.7.0").Split('+')[0];
        var micro = microProject is null
            ? $"""    <PackageReference Include="Micro" Version="{version}" />"""
            : $"""
                  <ProjectReference Include="{microProject}" />
                  <!-- Outside a package the contract generator is referenced directly (the Micro package carries it). -->
                  <ProjectReference Include="{Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(microProject)!)!, "Core", "Micro.Generators", "Micro.Generators.csproj")}" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
              """;
        var files = new List<(string, string)>
        {
            ("Directory.Build.props", """
                <Project>
                  <!-- Settings of this service alone (stops MSBuild from picking up a parent folder's). -->
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                  </PropertyGroup>
                </Project>
                """),
            ("Directory.Packages.props", """
                <Project>
                  <PropertyGroup>
                    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                  </PropertyGroup>
                </Project>
                """),
            ($"src/{type}.csproj", $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <AssemblyName>{service}</AssemblyName>
                    <RootNamespace>{type}</RootNamespace>
                  </PropertyGroup>
                  <ItemGroup>
                {micro}
                  </ItemGroup>
                </Project>
                """),
            ($"src/I{type}.cs", $$"""
                using System.Text.Json.Serialization;
                using Micro.Contracts;

                namespace {{type}};

                public sealed record CallRequest(string Name);

                public sealed record CallResponse(string Msg);

                /// <summary>
                /// The contract of service {{service}}: endpoint {{type}}.Call. Clients use the generated {{type}}Client; the
                /// service serves it with the generated builder.Micro.Add{{type}}&lt;T&gt;().
                /// </summary>
                [MicroContract("{{service}}", JsonContext = typeof({{type}}Json))]
                public interface I{{type}}
                {
                    Task<CallResponse> Call(CallRequest request, CancellationToken cancellationToken);
                }

                [JsonSerializable(typeof(CallRequest))]
                [JsonSerializable(typeof(CallResponse))]
                public sealed partial class {{type}}Json : JsonSerializerContext;
                """),
            ($"src/{type}Handler.cs", $$"""
                namespace {{type}};

                /// <summary>What {{service}} does. Add methods to I{{type}} and implement them here.</summary>
                public sealed class {{type}}Handler : I{{type}}
                {
                    public Task<CallResponse> Call(CallRequest request, CancellationToken cancellationToken)
                        => Task.FromResult(new CallResponse("Hello " + request.Name));
                }
                """),
            ("src/Program.cs", $$"""
                using {{type}};
                using Micro.Hosting;
                using Microsoft.Extensions.DependencyInjection;

                // Flags and MICRO_* variables configure it: --registry, --registry_address, --server_address, --transport...
                var builder = MicroService.CreateBuilder(args, defaultName: "{{service}}");
                builder.Micro.Add{{type}}<{{type}}Handler>();
                await builder.Build().RunAsync();
                """),
            ($"tests/{type}.Tests.csproj", $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <IsPackable>false</IsPackable>
                    <IsTestProject>true</IsTestProject>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Microsoft.NET.Test.Sdk" Version="18.0.1" />
                    <PackageReference Include="xunit" Version="2.9.3" />
                    <PackageReference Include="xunit.runner.visualstudio" Version="3.1.5" />
                  </ItemGroup>
                  <ItemGroup>
                    <ProjectReference Include="../src/{type}.csproj" />
                  </ItemGroup>
                </Project>
                """),
            ($"tests/{type}HandlerTests.cs", $$"""
                using {{type}};
                using Xunit;

                namespace {{type}}.Tests;

                public sealed class {{type}}HandlerTests
                {
                    [Fact]
                    public async Task Call_greets_by_name()
                    {
                        var reply = await new {{type}}Handler().Call(new CallRequest("John"), CancellationToken.None);
                        Assert.Equal("Hello John", reply.Msg);
                    }
                }
                """),
            // A solution at the root, so `dotnet build` and `dotnet test` work where a .NET user types them first.
            ($"{type}.slnx", $"""
                <Solution>
                  <Project Path="src/{type}.csproj" />
                  <Project Path="tests/{type}.Tests.csproj" />
                </Solution>
                """),
            ("README.md", string.Create(CultureInfo.InvariantCulture, $$"""
                # {{service}}

                A Micro service, made by `micro new {{service}}`.

                - `src/I{{type}}.cs`: the contract (endpoint `{{type}}.Call`); `src/{{type}}Handler.cs`: what it does; `src/Program.cs`: the host.
                - `tests/`: the handler's tests; `{{type}}.slnx` holds both, so `dotnet build` and `dotnet test` work here.

                ```bash
                dotnet build
                dotnet test
                dotnet run --project src
                micro call {{service}} {{type}}.Call '{"name":"John"}'     # -> {"msg": "Hello John"}
                micro get service {{service}}
                ```

                Configure it with go-micro's flags or `MICRO_*` variables (`--registry etcd --registry_address 127.0.0.1:2379`,
                `--server_address 0.0.0.0:9090`, `--transport nats`...). Other services call it through the generated
                `{{type}}Client`, found in the registry and balanced across instances.
                """)),
        };
        if (source is not null)
        {
            files.Add(("nuget.config", $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="micro" value="{System.Security.SecurityElement.Escape(source)}" />
                    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
                  </packageSources>
                </configuration>
                """));
        }

        return files;
    }
}
