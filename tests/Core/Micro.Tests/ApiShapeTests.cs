using System.Reflection;
using Micro.Broker;
using Micro.Client;
using Micro.Registry;
using Micro.Transport;

namespace Micro.Tests;

/// <summary>
/// The house rules of the public API (docs/architecture.md, "House rules"), checked over every exported type of the
/// core and the http package, so a new member that breaks one fails here instead of in review.
/// </summary>
public sealed class ApiShapeTests
{
    private static readonly Assembly[] Assemblies = [typeof(IRegistry).Assembly, typeof(Micro.Transport.Http.HttpTransport).Assembly];

    private static IEnumerable<MethodBase> PublicMembers()
        => from assembly in Assemblies
           from type in assembly.GetExportedTypes()
           where !type.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute))
           from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly).Cast<MethodBase>()
               .Concat(type.GetConstructors())
           where (!method.IsSpecialName || method is ConstructorInfo) && method.Name is not ("BeginInvoke" or "EndInvoke") // delegates' own
           select method;

    private static string Name(MethodBase m) => $"{m.DeclaringType!.FullName}.{m.Name}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))})";

    [Fact]
    public void A_cancellation_token_is_always_the_last_parameter()
    {
        var wrong = PublicMembers()
            .Where(m => m.GetParameters() is { Length: > 0 } ps && Array.FindIndex(ps, p => p.ParameterType == typeof(CancellationToken)) is var i && i >= 0 && i != ps.Length - 1)
            .Select(Name).ToList();
        Assert.True(wrong.Count == 0, "CancellationToken not last: " + string.Join("; ", wrong));
    }

    [Fact]
    public void The_per_call_interfaces_return_ValueTask_and_lifecycle_methods_return_Task()
    {
        // Hot paths: what runs per call, per message or per lookup.
        var hot = new[] { typeof(ITransport), typeof(IMicroClient), typeof(IRegistry), typeof(IBroker), typeof(ITransportStream), typeof(ISubscription) };
        var wrong = hot.SelectMany(t => t.GetMethods())
            .Where(m => m.Name.EndsWith("Async", StringComparison.Ordinal) && m.Name != "DisposeAsync")
            .Where(m => !(m.ReturnType == typeof(ValueTask) || m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() is var g && (g == typeof(ValueTask<>) || g == typeof(IAsyncEnumerable<>))))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name} returns {m.ReturnType.Name}").ToList();
        // Lifecycle: started and stopped once, awaited by hosts, composed with Task.WhenAll.
        wrong.AddRange(PublicMembers().OfType<MethodInfo>()
            .Where(m => m.Name is "StartAsync" or "StopAsync" or "RunAsync" or "ReleaseAsync" or "AcquireAsync")
            .Where(m => m.ReturnType != typeof(Task) && !(m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(Task<>)))
            .Select(m => $"{Name(m)} returns {m.ReturnType.Name}"));
        Assert.True(wrong.Count == 0, "against the Task/ValueTask rule: " + string.Join("; ", wrong));
    }

    [Fact]
    public void Headers_and_metadata_are_read_only_where_the_public_api_exposes_them()
    {
        static bool Mutable(Type t) => t.IsGenericType && t.GetGenericTypeDefinition() is var g && (g == typeof(Dictionary<,>) || g == typeof(IDictionary<,>));
        var properties = from assembly in Assemblies
                         from type in assembly.GetExportedTypes()
                         from property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                         where Mutable(property.PropertyType)
                               // The one written collection: what a handler adds to its reply (as HttpResponse.Headers is written).
                               && !(type == typeof(CallContext) && property.Name == nameof(CallContext.ResponseMetadata))
                         select $"{type.FullName}.{property.Name}";
        var returns = PublicMembers().OfType<MethodInfo>()
            .Where(m => Mutable(m.ReturnType) && m.Name != nameof(TransportMessage.NewHeaders)) // a factory: the caller fills the new headers
            .Select(m => $"{Name(m)} returns {m.ReturnType.Name}");
        var wrong = properties.Concat(returns).ToList();
        Assert.True(wrong.Count == 0, "mutable dictionaries exposed: " + string.Join("; ", wrong));
    }
}
