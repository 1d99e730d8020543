using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Micro.Registry;

namespace Micro.Consul;

/// <summary>
/// go-micro's encoding of what Consul has no field for, as service tags: <c>t-&lt;hex(zlib(JSON {k:v}))&gt;</c> per node
/// metadata pair, <c>e-&lt;hex(zlib(JSON endpoint))&gt;</c> per endpoint, <c>v-&lt;hex(zlib(version))&gt;</c>.
/// </summary>
public static class ConsulTags
{
    public static List<string> Encode(Service service, Node node)
    {
        var tags = new List<string>();
        foreach (var (k, v) in node.Metadata ?? new Dictionary<string, string>())
        {
            tags.Add("t-" + Hex(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { [k] = v })));
        }

        foreach (var endpoint in service.Endpoints)
        {
            tags.Add("e-" + Hex(JsonSerializer.SerializeToUtf8Bytes(endpoint, RegistryJsonContext.Default.Endpoint)));
        }

        tags.Add("v-" + Hex(Encoding.UTF8.GetBytes(service.Version)));
        return tags;
    }

    public static (Dictionary<string, string> Metadata, List<Endpoint> Endpoints, string Version) Decode(IEnumerable<string>? tags)
    {
        var metadata = new Dictionary<string, string>();
        var endpoints = new List<Endpoint>();
        var version = "";
        foreach (var tag in tags ?? [])
        {
            if (tag.Length < 2 || tag[1] != '-' || Unhex(tag[2..]) is not { } bytes)
            {
                continue; // a tag of someone else's
            }

            try
            {
                switch (tag[0])
                {
                    case 't':
                        foreach (var (k, v) in JsonSerializer.Deserialize<Dictionary<string, string>>(bytes) ?? [])
                        {
                            metadata[k] = v;
                        }

                        break;
                    case 'e':
                        if (JsonSerializer.Deserialize(bytes, RegistryJsonContext.Default.Endpoint) is { } endpoint)
                        {
                            endpoints.Add(endpoint);
                        }

                        break;
                    case 'v':
                        version = Encoding.UTF8.GetString(bytes);
                        break;
                }
            }
            catch (JsonException)
            {
                // Not ours after all: ignore.
            }
        }

        return (metadata, endpoints, version);
    }

    private static string Hex(byte[] data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(data);
        }

        return Convert.ToHexStringLower(output.ToArray());
    }

    private static byte[]? Unhex(string hex)
    {
        try
        {
            using var input = new MemoryStream(Convert.FromHexString(hex));
            using var zlib = new ZLibStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            zlib.CopyTo(output);
            return output.ToArray();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException)
        {
            return null;
        }
    }
}
