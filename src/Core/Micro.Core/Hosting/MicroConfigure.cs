using Microsoft.Extensions.DependencyInjection;

namespace Micro.Hosting;

/// <summary>One change to an options record made in code (<c>micro.Configure&lt;ClientOptions&gt;(o =&gt; o with { Retries = 3 })</c>).</summary>
public sealed class MicroConfigure<T>(Func<T, T> apply)
    where T : class
{
    public T Apply(T options) => apply(options) ?? throw new InvalidOperationException($"A Configure<{typeof(T).Name}> returned null; return the record, changed with 'with {{ ... }}'.");

    /// <summary>Every change registered in <paramref name="services"/>, applied to <paramref name="options"/> in the order they were added.</summary>
    internal static T ApplyAll(IServiceProvider? services, T options)
    {
        foreach (var configure in services?.GetServices<MicroConfigure<T>>() ?? [])
        {
            options = configure.Apply(options);
        }

        return options;
    }
}
