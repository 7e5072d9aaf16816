namespace Connect.Application.Signals;

/// <summary>Where an address a receiver's host resolved to lies, for the server-side request forgery rule.</summary>
public enum ReceiverAddressKind
{
    /// <summary>A public unicast address: always allowed.</summary>
    Public,

    /// <summary>127.0.0.0/8 or ::1: allowed only while <c>Connect:Signals:AllowLoopbackReceivers</c> is true.</summary>
    Loopback,

    /// <summary>Private, link-local (the cloud metadata address among them), unspecified, multicast or reserved: never.</summary>
    Forbidden,
}

/// <summary>
/// The address rule of docs/contract/signals.md "Receivers", as one pure function used twice: when a receiver is
/// added with an IP literal, and when a signal is sent, on every address the host resolved to, immediately before
/// connecting to that very address (so a name that re-resolves to somewhere else between the check and the connection
/// cannot slip through).
/// </summary>
public static class ReceiverAddresses
{
    public static ReceiverAddressKind Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return ReceiverAddressKind.Loopback;
        }

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => IsPublicV4(address.GetAddressBytes()) ? ReceiverAddressKind.Public : ReceiverAddressKind.Forbidden,
            AddressFamily.InterNetworkV6 => IsPublicV6(address) ? ReceiverAddressKind.Public : ReceiverAddressKind.Forbidden,
            _ => ReceiverAddressKind.Forbidden,
        };
    }

    public static bool Allows(IPAddress address, bool allowLoopback) => Classify(address) switch
    {
        ReceiverAddressKind.Public => true,
        ReceiverAddressKind.Loopback => allowLoopback,
        _ => false,
    };

    // RFC 6890's special-purpose IPv4 blocks that a server must not be made to reach.
    private static bool IsPublicV4(byte[] b) => !(
        b[0] == 0                                        // 0.0.0.0/8 "this network", the unspecified address
        || b[0] == 10                                    // 10.0.0.0/8 private
        || (b[0] == 100 && (b[1] & 0xC0) == 64)          // 100.64.0.0/10 shared (carrier-grade NAT)
        || (b[0] == 169 && b[1] == 254)                  // 169.254.0.0/16 link-local, the metadata address
        || (b[0] == 172 && (b[1] & 0xF0) == 16)          // 172.16.0.0/12 private
        || (b[0] == 192 && b[1] == 0 && b[2] == 0)       // 192.0.0.0/24 protocol assignments
        || (b[0] == 192 && b[1] == 168)                  // 192.168.0.0/16 private
        || (b[0] == 198 && (b[1] & 0xFE) == 18)          // 198.18.0.0/15 benchmarking
        || b[0] >= 224);                                 // multicast, reserved, broadcast

    private static bool IsPublicV6(IPAddress address)
    {
        var b = address.GetAddressBytes();
        return !(b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 // ::/96: unspecified, and the deprecated IPv4-compatible form
            || address.IsIPv6LinkLocal                   // fe80::/10
            || address.IsIPv6SiteLocal                   // fec0::/10 (deprecated)
            || address.IsIPv6Multicast                   // ff00::/8
            || (b[0] & 0xFE) == 0xFC                     // fc00::/7 unique local
            || (b[0] == 0 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B) // 64:ff9b::/96, 64:ff9b:1::/48 NAT64 reach IPv4 space
            || (b[0] == 0x20 && b[1] == 0x02)            // 2002::/16 6to4 embeds an IPv4 address
            || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0)); // 2001::/32 Teredo
    }
}
