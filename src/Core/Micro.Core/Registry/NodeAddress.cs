using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Micro.Registry;

/// <summary>
/// What a node address may be: <c>host:port</c>, the host an IPv4 address, a bracketed IPv6 address or a DNS name; no
/// scheme, path, query or user info. Anyone who can register can name any address, and the address is dialled, pasted
/// into URLs and proxied to, so every entry point checks it (<see cref="IsValid"/>), and every dial checks what it
/// resolved to (<see cref="IsLinkLocal"/>): link-local ranges hold the clouds' metadata services.
/// </summary>
public static class NodeAddress
{
    /// <summary>The AWS metadata service's IPv6 address (outside fe80::/10).</summary>
    private static readonly IPAddress AwsMetadataV6 = IPAddress.Parse("fd00:ec2::254");

    /// <summary>True when <paramref name="address"/> is <c>host:port</c>; otherwise <paramref name="problem"/> says what is wrong.</summary>
    public static bool IsValid([NotNullWhen(true)] string? address, out string problem)
    {
        problem = "";
        if (string.IsNullOrEmpty(address))
        {
            problem = "is empty; a node address is host:port";
            return false;
        }

        if (address.Length > 262)
        {
            problem = $"is {address.Length} characters long; a node address is host:port";
            return false;
        }

        if (address.AsSpan().IndexOfAny("/?#@\\ \t\r\n%") is var bad and >= 0)
        {
            problem = $"'{Shown(address)}' holds '{(address[bad] is var c && char.IsWhiteSpace(c) ? "whitespace" : c.ToString())}': a node address is host:port, with no scheme, path, query, user info or zone";
            return false;
        }

        var colon = address.LastIndexOf(':');
        if (colon < 0)
        {
            problem = $"'{Shown(address)}' has no port: a node address is host:port";
            return false;
        }

        var port = address.AsSpan(colon + 1);
        if (port.Length is 0 or > 5 || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
        {
            problem = $"'{Shown(address)}' has port '{port}': a port is a number from 1 to 65535";
            return false;
        }

        var host = address.AsSpan(0, colon);
        if (host.Length == 0)
        {
            problem = $"'{Shown(address)}' has no host: a node address is host:port";
            return false;
        }

        if (host[0] == '[')
        {
            if (host[^1] != ']' || !IPAddress.TryParse(host[1..^1], out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                problem = $"'{Shown(address)}': the host in brackets is not an IPv6 address";
                return false;
            }

            return true;
        }

        if (host.Contains(':'))
        {
            problem = $"'{Shown(address)}': an IPv6 host goes in brackets, e.g. [::1]:8080";
            return false;
        }

        if (IsDottedIPv4(host))
        {
            return true;
        }

        if (IPAddress.TryParse(host, out _) || IsAllDigits(host[(host.LastIndexOf('.') + 1)..]))
        {
            // 2852039166, 0xa9fea9fe, 169.254.43518: what resolvers read as IPv4 in other spellings.
            problem = $"'{Shown(address)}': an IPv4 host is written as four decimal numbers, e.g. 127.0.0.1";
            return false;
        }

        if (!IsDnsName(host))
        {
            problem = $"'{Shown(address)}': the host is neither an IPv4 address nor a DNS name (letters, digits, '-' and '_' in labels of 1 to 63, split by dots)";
            return false;
        }

        return true;
    }

    /// <summary>
    /// Checks a registered node's address for the transport it advertises (metadata <c>transport</c>): <c>host:port</c>
    /// for tcp and http; for the others (NATS subjects, RabbitMQ queues, in-process memory addresses) a name of letters,
    /// digits and <c>. _ - : [ ]</c>, never a URL. A node that names no transport is taken as tcp when
    /// <paramref name="unnamedIsHostPort"/> (what a person registers by hand), else held to the name rule only (nodes
    /// read from a registry, whose transport the caller decides).
    /// </summary>
    public static bool IsValid(Node node, bool unnamedIsHostPort, out string problem)
    {
        ArgumentNullException.ThrowIfNull(node);
        var transport = node.Metadata?.GetValueOrDefault("transport");
        if (transport is "tcp" or "http" || (transport is null && unnamedIsHostPort))
        {
            return IsValid(node.Address, out problem);
        }

        problem = "";
        var address = node.Address;
        if (string.IsNullOrEmpty(address) || address.Length > 262 || address.AsSpan().ContainsAnyExcept(NameCharacters))
        {
            problem = $"'{Shown(address ?? "")}' is not an address: letters, digits and . _ - : [ ] only (host:port for tcp and http nodes)";
            return false;
        }

        return true;
    }

    /// <summary>
    /// A registration's nodes checked as a person or a caller gave them (a node naming no transport is tcp): false, with
    /// <paramref name="problem"/> naming the first bad node and why, when one is not reachable as written.
    /// </summary>
    public static bool AreValid(Service service, out string problem)
    {
        ArgumentNullException.ThrowIfNull(service);
        foreach (var node in service.Nodes)
        {
            if (!IsValid(node, unnamedIsHostPort: true, out var bad))
            {
                problem = $"node {node.Id}: address {bad}";
                return false;
            }
        }

        problem = "";
        return true;
    }

    private static readonly System.Buffers.SearchValues<char> NameCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:[]");

    /// <summary>Throws an <see cref="ArgumentException"/> saying what is wrong unless <paramref name="address"/> is <c>host:port</c>.</summary>
    public static string Require(string? address, string what = "address")
        => IsValid(address, out var problem) ? address : throw new ArgumentException($"{what} {problem}");

    /// <summary>
    /// True for addresses no node should be dialled at without being allowed explicitly: 169.254.0.0/16 and fe80::/10
    /// (link-local, where the cloud metadata services answer) and fd00:ec2::254 (AWS's IPv6 metadata service).
    /// </summary>
    public static bool IsLinkLocal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> bytes = stackalloc byte[4];
            address.TryWriteBytes(bytes, out _);
            return bytes[0] == 169 && bytes[1] == 254;
        }

        return address.IsIPv6LinkLocal || address.Equals(AwsMetadataV6);
    }

    /// <summary>The refusal of a dial to a link-local address (before any packet is sent).</summary>
    public static MicroException LinkLocalRefused(string address, IPAddress resolved)
        => new("go.micro.transport", 403, $"refused to connect to {address} ({resolved}): link-local and metadata addresses are not dialled; --allow_link_local (MICRO_ALLOW_LINK_LOCAL=true) allows them")
        {
            IsTransportError = false,
        };

    private static bool IsDottedIPv4(ReadOnlySpan<char> host)
    {
        var parts = 0;
        foreach (var range in host.Split('.'))
        {
            var part = host[range];
            if (++parts > 4 || part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0') || !byte.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                return false;
            }
        }

        return parts == 4;
    }

    private static bool IsAllDigits(ReadOnlySpan<char> text) => text.Length > 0 && !text.ContainsAnyExceptInRange('0', '9');

    private static bool IsDnsName(ReadOnlySpan<char> host)
    {
        if (host.Length > 253)
        {
            return false;
        }

        foreach (var range in host.Split('.'))
        {
            var label = host[range];
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static string Shown(string address) => address.Length <= 80 ? address : address[..80] + "...";
}
