using Micro.Hosting;
using Micro.Http;

namespace Microsoft.Extensions.DependencyInjection; // found where services.AddMicro() is

/// <summary><c>micro.AddHttp()</c>: names the plugin in code; referencing the package alone selects it by configuration, except under Native AOT.</summary>
public static class HttpMicroBuilderExtensions
{
    /// <summary>Makes <c>http</c> selectable as transport and broker (<c>--transport http</c>, the default broker).</summary>
    public static MicroBuilder AddHttp(this MicroBuilder micro)
        => (micro ?? throw new ArgumentNullException(nameof(micro))).AddPlugin(new HttpPlugin());
}
