namespace Connect.Application.Administration;

/// <summary>
/// A host a <c>CALLBACK</c> return method may name (docs/contract/sign-in.md, <c>app update --callback-host</c>): a
/// DNS name or an IP literal and nothing else, kept in the form <see cref="Uri.IdnHost"/> gives a URL's host (lower
/// case, internationalized names as punycode, IPv6 without brackets), so that <c>/establish</c> matches a callback URL by
/// plain string equality.
/// </summary>
public static class CallbackHost
{
    /// <summary>The most hosts one application may allow (the column's own limit).</summary>
    public const int MaxPerApplication = 32;

    /// <summary>RFC 1035 §2.3.4: a name is at most 253 characters written without its final dot.</summary>
    public const int MaxNameLength = 253;

    private const int MaxLabelLength = 63;

    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true };

    /// <summary>The host as stored and matched, or in plain English why it is not a host.</summary>
    public static bool TryNormalize(
        string? host, [NotNullWhen(true)] out string? normalized, [NotNullWhen(false)] out string? problem)
    {
        normalized = null;
        problem = Problem(host, ref normalized);
        return problem is null;
    }

    private static string? Problem(string? host, ref string? normalized)
    {
        if (string.IsNullOrEmpty(host))
        {
            return "a callback host must not be empty";
        }

        if (host.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return $"the callback host '{Printable(host)}' must not contain spaces or control characters";
        }

        if (host.Contains("://", StringComparison.Ordinal))
        {
            return $"the callback host '{host}' must be a host name alone, without a scheme";
        }

        if (host.IndexOfAny(['/', '?', '#', '\\']) >= 0)
        {
            return $"the callback host '{host}' must be a host name alone, without a path";
        }

        if (host.Contains('@', StringComparison.Ordinal))
        {
            return $"the callback host '{host}' must be a host name alone, without user information";
        }

        if (host.StartsWith('[') || host.Contains(':', StringComparison.Ordinal))
        {
            // An IPv6 literal, with or without its brackets; anything else with a colon names a port.
            var bracketed = host.StartsWith('[') && host.EndsWith(']');
            var inner = bracketed ? host[1..^1] : host;
            if ((bracketed || !host.StartsWith('[')) && !inner.Contains('[', StringComparison.Ordinal)
                && !inner.Contains('%', StringComparison.Ordinal)
                && IPAddress.TryParse(inner, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6)
            {
                normalized = v6.ToString();
                return null;
            }

            return $"the callback host '{host}' must be a host name alone, without a port";
        }

        if (host.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            // Only the dotted quad: 127.1, 0x7f.1 or 2130706433 name the same address in some parsers and not others.
            var parts = host.Split('.');
            if (parts.Length == 4 && parts.All(IsOctet) && IPAddress.TryParse(host, out var v4))
            {
                normalized = v4.ToString();
                return null;
            }

            return $"the callback host '{host}' is not an IPv4 address (four numbers 0-255 separated by dots)";
        }

        string ascii;
        try
        {
            ascii = Idn.GetAscii(host).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return $"the callback host '{host}' is not a valid DNS name";
        }

        if (ascii.EndsWith('.'))
        {
            return $"the callback host '{host}' must not end with a dot";
        }

        if (ascii.Length > MaxNameLength)
        {
            return $"the callback host '{host}' is longer than {MaxNameLength} characters";
        }

        var labels = ascii.Split('.');
        if (!labels.All(IsLabel))
        {
            return $"the callback host '{host}' is not a valid DNS name (letters, digits and inner hyphens, 1-63 per label)";
        }

        if (labels[^1].All(char.IsAsciiDigit))
        {
            return $"the callback host '{host}' is neither a DNS name nor an IP address";
        }

        normalized = ascii;
        return null;
    }

    private static bool IsOctet(string part) =>
        part.Length is >= 1 and <= 3 && (part.Length == 1 || part[0] != '0')
        && int.Parse(part, CultureInfo.InvariantCulture) <= 255;

    // RFC 1123 §2.1: letters, digits and hyphens, neither first nor last.
    private static bool IsLabel(string label) =>
        label.Length is >= 1 and <= MaxLabelLength
        && label[0] != '-' && label[^1] != '-'
        && label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    private static string Printable(string text) => string.Concat(text.Select(c => char.IsControl(c) ? '?' : c));
}
