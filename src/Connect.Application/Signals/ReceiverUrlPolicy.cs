namespace Connect.Application.Signals;

/// <summary>
/// Whether a URL may be registered as a signal receiver (docs/contract/signals.md "Receivers"), against server-side
/// request forgery: an absolute <c>https</c> URL, or <c>http</c> to a loopback host, of at most 2048 bytes of printable
/// ASCII, with no user information and no fragment. An IP-literal host must pass <see cref="ReceiverAddresses"/>; a
/// name is not resolved here (what it resolves to may change): the delivery worker checks every address it resolves
/// to when it sends. Anything two URL parsers could read differently (backslashes, whitespace, an '@' in the
/// authority, numbers that are IPv4 addresses only to some parsers) is refused rather than interpreted.
/// </summary>
public static class ReceiverUrlPolicy
{
    public const int MaxBytes = 2048;

    /// <returns><c>null</c> when the URL is allowed; otherwise, in plain English, why not.</returns>
    public static string? FindProblem(string? url, bool allowLoopback)
    {
        if (string.IsNullOrEmpty(url))
        {
            return "the receiver URL must not be empty";
        }

        if (Encoding.UTF8.GetByteCount(url) > MaxBytes)
        {
            return $"the receiver URL is longer than {MaxBytes} bytes";
        }

        if (url.Any(character => character is <= ' ' or > '~' or '\\'))
        {
            return "the receiver URL must be printable ASCII without spaces or backslashes (write an internationalized host name as punycode)";
        }

        if (url.Contains('#', StringComparison.Ordinal))
        {
            return "the receiver URL must not have a fragment (#...)";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return "the receiver URL is not an absolute URL";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
        {
            return "the receiver URL must be https (http only to a loopback host)";
        }

        var authority = Authority(url);
        if (authority is null || uri.UserInfo.Length > 0 || authority.Contains('@', StringComparison.Ordinal))
        {
            return "the receiver URL must not contain user information (user@ or user:password@)";
        }

        if (uri.Port is < 1 or > 65535)
        {
            return "the receiver URL's port must be 1 to 65535";
        }

        var loopback = false;
        switch (uri.HostNameType)
        {
            case UriHostNameType.IPv4 or UriHostNameType.IPv6:
                if (!TryAddress(uri, authority, out var address))
                {
                    return uri.HostNameType == UriHostNameType.IPv4
                        ? "the receiver URL's IPv4 host must be written as four numbers 0-255 separated by dots"
                        : "the receiver URL's IPv6 host is not an address Connect can check";
                }

                switch (ReceiverAddresses.Classify(address))
                {
                    case ReceiverAddressKind.Forbidden:
                        return $"the receiver address {address} is private, link-local, unspecified or otherwise not public; signals are never sent there";
                    case ReceiverAddressKind.Loopback:
                        loopback = true;
                        break;
                }

                break;
            case UriHostNameType.Dns:
                var host = uri.IdnHost.ToLowerInvariant();
                if (host.Split('.')[^1].All(char.IsAsciiDigit))
                {
                    return $"the receiver URL's host '{host}' is neither a DNS name nor an IPv4 address";
                }

                // RFC 6761 §6.3: localhost and every name under it are loopback, whatever a resolver says.
                loopback = host == "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal);
                break;
            default:
                return "the receiver URL has no host name or IP address";
        }

        if (loopback && !allowLoopback)
        {
            return "the receiver is on a loopback address, which is allowed only while Connect:Signals:AllowLoopbackReceivers is true";
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !loopback)
        {
            return "the receiver URL must be https; plain http is allowed only to a loopback host";
        }

        return null;
    }

    // RFC 3986 §3.2: the authority follows "//" and ends at the first '/', '?' or '#'.
    private static string? Authority(string url)
    {
        var start = url.IndexOf("://", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var authority = url[(start + 3)..];
        var end = authority.IndexOfAny(['/', '?', '#']);
        return end < 0 ? authority : authority[..end];
    }

    /// <summary>
    /// The literal's address, exactly as written: an IPv4 host only as a dotted quad (<c>127.1</c>, <c>0x7f.1</c> and
    /// <c>2130706433</c> name 127.0.0.1 to some parsers and a host name to others), an IPv6 host without a zone.
    /// </summary>
    private static bool TryAddress(Uri uri, string authority, out IPAddress address)
    {
        address = IPAddress.None;
        if (uri.HostNameType == UriHostNameType.IPv6)
        {
            var inner = uri.Host.Trim('[', ']');
            return !inner.Contains('%', StringComparison.Ordinal) && IPAddress.TryParse(inner, out address!);
        }

        var written = authority.LastIndexOf(':') is var colon and >= 0 ? authority[..colon] : authority;
        var parts = written.Split('.');
        return parts.Length == 4
            && parts.All(part => part.Length is >= 1 and <= 3 && part.All(char.IsAsciiDigit) && (part.Length == 1 || part[0] != '0')
                && int.Parse(part, CultureInfo.InvariantCulture) <= 255)
            && IPAddress.TryParse(written, out address!);
    }
}
