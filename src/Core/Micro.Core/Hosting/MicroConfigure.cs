namespace Micro.Hosting;

/// <summary>One change to an options record made in code (<c>micro.Configure&lt;ClientOptions&gt;(o =&gt; o with { Retries = 3 })</c>).</summary>
public sealed class MicroConfigure<T>(Func<T, T> apply)
    where T : class
{
    public T Apply(T options) => apply(options) ?? throw new InvalidOperationException($"A Configure<{typeof(T).Name}> returned null; return the record, changed with 'with {{ ... }}'.");
}
