namespace Connect.Application.Inquiries;

/// <summary>
/// Whether a CALLBACK URL may receive an inquiry's confirmation key: an absolute HTTPS URL (plain HTTP only to a
/// loopback host) of at most 2048 UTF-8 bytes, with no user information, whose host is exactly one of the
/// application's callback hosts. The confirmation key is a bearer credential, so anything a browser and this parser
/// could read differently (backslashes, whitespace, control or non-ASCII characters, an '@' before the host) is
/// refused rather than interpreted.
/// </summary>
public static class CallbackUrlPolicy
{
    public const int MaxBytes = 2048;

    public static bool Allows(string? url, IReadOnlyCollection<string> allowedHosts)
    {
        ArgumentNullException.ThrowIfNull(allowedHosts);
        if (string.IsNullOrEmpty(url) || Encoding.UTF8.GetByteCount(url) > MaxBytes)
        {
            return false;
        }

        foreach (var character in url)
        {
            if (character is <= ' ' or > '~' or '\\')
            {
                return false;
            }
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.UserInfo.Length > 0 || HasAtInAuthority(url))
        {
            return false;
        }

        var host = uri.IdnHost.ToLowerInvariant();
        var schemeAllowed = uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(host));
        return schemeAllowed && uri.HostNameType != UriHostNameType.Unknown && allowedHosts.Contains(host, StringComparer.Ordinal);
    }

    // RFC 3986 §3.2: the authority ends at the first '/', '?' or '#'; an '@' in it introduces user information.
    private static bool HasAtInAuthority(string url)
    {
        var start = url.IndexOf("//", StringComparison.Ordinal);
        if (start < 0)
        {
            return true;
        }

        var authority = url[(start + 2)..];
        var end = authority.IndexOfAny(['/', '?', '#']);
        return (end < 0 ? authority : authority[..end]).Contains('@', StringComparison.Ordinal);
    }

    private static bool IsLoopback(string host) =>
        host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
