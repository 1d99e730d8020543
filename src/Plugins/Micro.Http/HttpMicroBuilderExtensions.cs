using Micro.Hosting;
using Micro.Http;

// In this namespace so that `micro.AddHttp()` is found where `services.AddMicro()` is.
namespace Microsoft.Extensions.DependencyInjection;

public static class HttpMicroBuilderExtensions
{
    /// <summary>
    /// Makes <c>http</c> selectable as transport and broker (<c>--transport http</c>, the default broker). Referencing the package alone already makes the name selectable,
    /// except under Native AOT.
    /// </summary>
    public static MicroBuilder AddHttp(this MicroBuilder micro)
    {
        ArgumentNullException.ThrowIfNull(micro);
        return micro.AddPlugin(new HttpPlugin());
    }
}
