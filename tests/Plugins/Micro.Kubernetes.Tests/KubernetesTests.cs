using k8s;
using Micro.Commands;
using Micro.Registry;

namespace Micro.Kubernetes.Tests;

/// <summary>The stand-in for the Kubernetes API (see <see cref="KubernetesStandIn"/>): no cluster can run here.</summary>
public sealed class KubernetesFixture : IAsyncLifetime
{
    public KubernetesStandIn Api { get; } = new();

    public Task InitializeAsync() => Api.StartAsync();

    public Task DisposeAsync() => Api.DisposeAsync().AsTask();

    /// <summary>A registry client running in a pod of its own (as each process of a service would).</summary>
    public KubernetesRegistry NewPod(out string podName)
    {
        podName = "pod-" + Guid.NewGuid().ToString("N")[..8];
        Api.AddPod(podName);
        return new KubernetesRegistry(new k8s.Kubernetes(new KubernetesClientConfiguration { Host = Api.Url }), "default", podName);
    }
}

[CollectionDefinition(Name)]
public sealed class KubernetesCollection : ICollectionFixture<KubernetesFixture>
{
    public const string Name = "kubernetes-stand-in";
}

[Collection(KubernetesCollection.Name)]
public sealed class KubernetesRegistryContractTests(KubernetesFixture fixture) : RegistryContractTests
{
    protected override Task<IRegistry> ConnectAsync() => Task.FromResult<IRegistry>(fixture.NewPod(out _));

    /// <summary>Kubernetes has no TTL: a node lives as long as its pod. The equivalent check: a deleted pod's nodes are gone.</summary>
    public override async Task A_node_that_stops_re_registering_is_gone_within_its_ttl()
    {
        var name = Unique();
        await using var dying = fixture.NewPod(out var podName);
        await using var staying = fixture.NewPod(out _);
        await dying.RegisterAsync(Svc(name, "short"), TimeSpan.FromSeconds(2));
        await staying.RegisterAsync(Svc(name, "long"), TimeSpan.FromMinutes(1));
        Assert.Equal(2, Assert.Single(await staying.GetServiceAsync(name)).Nodes.Count);
        fixture.Api.DeletePod(podName);
        Assert.Equal("long", Assert.Single(Assert.Single(await staying.GetServiceAsync(name)).Nodes).Id);
        await staying.DeregisterAsync(Svc(name, "long"));
    }

    [Fact]
    public async Task Pods_carry_go_micro_labels_and_annotation_readable_by_micro_get_service()
    {
        // A pod labelled and annotated exactly as go-micro v1.18 does it, written through the API by another client.
        var podName = "gomicro-" + Guid.NewGuid().ToString("N")[..6];
        fixture.Api.AddPod(podName);
        var service = """{"name":"go.micro.srv.greeter","version":"latest","metadata":null,"endpoints":[{"name":"Say.Hello","request":{"name":"Request","type":"Request","values":[{"name":"name","type":"string","values":null}]},"response":{"name":"Response","type":"Response","values":[{"name":"msg","type":"string","values":null}]},"metadata":{"stream":"false"}}],"nodes":[{"id":"go.micro.srv.greeter-1","address":"127.0.0.1:35109","metadata":{"protocol":"mucp","registry":"kubernetes","transport":"http"}}]}""";
        var patch = new { metadata = new { labels = new Dictionary<string, string> { ["micro.mu/type"] = "service", ["micro.mu/selector-go.micro.srv.greeter"] = "service" }, annotations = new Dictionary<string, string> { ["micro.mu/service-go.micro.srv.greeter"] = service } } };
        using var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = fixture.Api.Url });
        await client.CoreV1.PatchNamespacedPodAsync(new k8s.Models.V1Patch(System.Text.Json.JsonSerializer.Serialize(patch), k8s.Models.V1Patch.PatchType.MergePatch), podName, "default");

        var output = new StringWriter();
        var error = new StringWriter();
        var code = await MicroCommandLine.RunAsync(["get", "service", "go.micro.srv.greeter", "--registry", "kubernetes", "--registry_address", fixture.Api.Url], output, error);
        Assert.True(code == 0, error.ToString());
        Assert.Contains("go.micro.srv.greeter-1\t127.0.0.1:35109\tprotocol=mucp,registry=kubernetes,transport=http", output.ToString());
        Assert.Contains("Endpoint: Say.Hello", output.ToString());
        fixture.Api.DeletePod(podName);
    }

    [Fact]
    public void Service_names_become_label_safe_as_in_go_micro()
        => Assert.Equal("go.micro.srv_greeter_v2", KubernetesRegistry.LabelName("go.micro.srv/greeter:v2"));
}
