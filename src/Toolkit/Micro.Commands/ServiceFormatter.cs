using System.Text;
using Micro.Diagnostics;
using Micro.Registry;

namespace Micro.Commands;

/// <summary>Renders registry data as text, in the layout of go-micro's CLI.</summary>
public static class ServiceFormatter
{
    public static string FormatService(IReadOnlyList<Service> versions)
    {
        var sb = new StringBuilder();
        sb.Append("service  ").Append(versions[0].Name).Append('\n');
        foreach (var service in versions)
        {
            sb.Append("\nversion ").Append(service.Version).Append("\n\n");
            sb.Append("ID\tAddress\tMetadata\n");
            foreach (var node in service.Nodes)
            {
                sb.Append(node.Id).Append('\t').Append(Secrets.Urls(node.Address)).Append('\t').Append(Pairs(node.Metadata)).Append('\n');
            }

            foreach (var endpoint in service.Endpoints)
            {
                sb.Append("\nEndpoint: ").Append(endpoint.Name).Append('\n');
                if (endpoint.Metadata is { Count: > 0 })
                {
                    sb.Append("Metadata: ").Append(Pairs(endpoint.Metadata)).Append('\n');
                }

                sb.Append("\nRequest: ");
                AppendValue(sb, endpoint.Request, 0);
                sb.Append("\n\nResponse: ");
                AppendValue(sb, endpoint.Response, 0);
                sb.Append('\n');
            }
        }

        return sb.ToString();
    }

    // Secrets (token=..., amqp://user:pass@...) are masked: this text reaches terminals, the dashboard and chat rooms.
    private static string Pairs(IReadOnlyDictionary<string, string>? metadata)
        => metadata is null ? "" : string.Join(",", metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + Secrets.Value(kv.Key, kv.Value)));

    private static void AppendValue(StringBuilder sb, Value? value, int depth)
    {
        if (value?.Values is not { Count: > 0 } fields)
        {
            sb.Append("{}");
            return;
        }

        sb.Append("{\n");
        foreach (var field in fields)
        {
            sb.Append('\t', depth + 1).Append(field.Name).Append(' ').Append(field.Type);
            if (field.Values is { Count: > 0 })
            {
                sb.Append(' ');
                AppendValue(sb, field, depth + 1);
            }

            sb.Append('\n');
        }

        sb.Append('\t', depth).Append('}');
    }
}
