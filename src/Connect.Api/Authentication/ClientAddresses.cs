namespace Connect.Api.Authentication;

/// <summary>
/// Which client a request is from, for the per-address budgets (<see cref="AddressBudget"/> and the sign-in page's
/// guard): the socket's peer, unless the peer is one of <see cref="RateLimitOptions.TrustedProxies"/>; then the
/// address that proxy saw, the right-most <c>X-Forwarded-For</c> entry (walking further left only while each
/// address is itself a trusted proxy). Nobody else's header is read, so a client cannot choose its own bucket. The
/// connection is never rewritten: logs, metrics and the <c>/metrics</c> loopback check keep the socket's peer.
/// </summary>
public sealed class ClientAddresses
{
    /// <summary>The bucket of a request whose peer is not known (a test server, a Unix socket).</summary>
    internal const string Unknown = "unknown";

    private readonly HashSet<IPAddress> _proxies;

    public ClientAddresses(IOptions<RateLimitOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _proxies = [.. options.Value.TrustedProxies.Select(proxy => Normal(IPAddress.Parse(proxy)))];
    }

    /// <summary>The client's address, or <c>null</c> when the peer is not known.</summary>
    public IPAddress? Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Connection.RemoteIpAddress is not { } peer)
        {
            return null;
        }

        var client = Normal(peer);
        if (_proxies.Count == 0 || !_proxies.Contains(client))
        {
            return client;
        }

        // One header line per proxy that added one (haproxy adds its own line), entries comma-separated: right to left.
        var lines = context.Request.Headers["X-Forwarded-For"];
        for (var line = lines.Count - 1; line >= 0; line--)
        {
            var entries = (lines[line] ?? string.Empty).Split(',', StringSplitOptions.TrimEntries);
            for (var entry = entries.Length - 1; entry >= 0; entry--)
            {
                if (!_proxies.Contains(client))
                {
                    return client;
                }

                // Garbage from a trusted proxy ("unknown", an obfuscated name): its own address is all we know.
                if (!IPEndPoint.TryParse(entries[entry], out var forwarded))
                {
                    return client;
                }

                client = Normal(forwarded.Address);
            }
        }

        return client;
    }

    /// <summary>
    /// The budget a request spends from: an IPv4 address as it is; an IPv6 address by its /64, the least a network
    /// is given, so that one host cannot take a fresh bucket per address of its prefix.
    /// </summary>
    public string BudgetKey(HttpContext context)
    {
        if (Of(context) is not { } address)
        {
            return Unknown;
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return $"{new IPAddress(bytes)}/64";
    }

    private static IPAddress Normal(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
