using System.Text;

namespace Micro.RabbitMQ;

/// <summary>AMQP header tables hold strings as bytes on the way back; these convert both ways.</summary>
internal static class RabbitMqHeaders
{
    public static Dictionary<string, object?> ToAmqp(IReadOnlyDictionary<string, string> headers)
    {
        var table = new Dictionary<string, object?>(headers.Count);
        foreach (var (k, v) in headers)
        {
            table[k] = Encoding.UTF8.GetBytes(v);
        }

        return table;
    }

    public static Dictionary<string, string> FromAmqp(IDictionary<string, object?>? table)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (table is null)
        {
            return headers;
        }

        foreach (var (k, v) in table)
        {
            headers[k] = v switch
            {
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                null => "",
                _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "",
            };
        }

        return headers;
    }
}
